# expect: R102
# Any class keyword is handed to __init_subclass__ of the bases.
class Plugin(Base, hook=print):
    pass
