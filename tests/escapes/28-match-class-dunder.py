# expect: R201
# A class pattern reads attributes by the keyword names: case C(__class__=x).
match 1:
    case object(__class__=cls):
        pass
