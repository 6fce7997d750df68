# expect: R203
# __mro_entries__ lets a non-class base rewrite the bases of a class statement.
class Fake:
    def __mro_entries__(self, bases):
        return (object,)
