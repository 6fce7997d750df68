# expect: R203
# __set_name__ is called by type() for every attribute of a new class.
class Field:
    def __set_name__(self, owner, name):
        self.owner = owner
