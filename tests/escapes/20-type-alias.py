# expect: run TypeError
# Aliasing type hides the three-argument call from a call-site check (R402 sees only the
# direct form): the alias is the sandbox's one-argument wrapper, which never makes a class.
make = type
Evil = make("Evil", (), {"__getattr__": len})
log("ESCAPED")
