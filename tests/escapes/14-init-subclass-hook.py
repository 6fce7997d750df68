# expect: R203
# __init_subclass__ runs whenever someone subclasses the class.
class Spy:
    def __init_subclass__(cls, **options):
        pass
