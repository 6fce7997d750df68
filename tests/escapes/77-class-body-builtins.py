# expect: run RunBuiltinException
# Class bodies look names up in the class namespace, then the globals, then the builtins:
# the same stubs. A stub is no descriptor, so an instance does not bind it.
class Holder:
    open = 1
    del open
    reader = open
try:
    Holder().reader("/etc/passwd")
except RepyException:
    pass
else:
    log("ESCAPED")
Holder.reader("/etc/passwd")
log("ESCAPED")
