# expect: R203
# Descriptor hooks run on every attribute read through a class, including reads made by
# trusted code; __get__/__set__/__delete__ are refused like __getattr__.
class Sneaky:
    def __get__(self, instance, owner):
        return owner
    def __set__(self, instance, value):
        pass
    def __delete__(self, instance):
        pass
class Host:
    field = Sneaky()
