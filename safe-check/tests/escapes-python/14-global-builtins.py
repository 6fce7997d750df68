# expect: R202
# `global` is allowed; its names are checked like any name.
def replace():
    global __builtins__
    __builtins__ = None
def rename():
    global __name__
    __name__ = "module"
