# expect: R207, R206
# The method forms refused as attributes are refused as class-pattern keywords too:
# `mro=` lists the hidden bases of a class, `encode=` reaches codec lookup by name.
match int:
    case object(mro=bases):
        pass
match "text":
    case str(encode=codec):
        data = codec("rot13")
