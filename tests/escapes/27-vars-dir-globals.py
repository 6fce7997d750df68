# expect: R401
# Namespace introspection by name.
everything = globals()
names = dir()
mapping = vars(object)
