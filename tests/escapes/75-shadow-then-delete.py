# expect: run RunBuiltinException
# Binding a forbidden name is allowed; deleting the binding uncovers the stub, not the
# real builtin.
open = 1
del open
open("/etc/passwd")
log("ESCAPED")
