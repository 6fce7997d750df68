#! stdout = "refused 9 of 9\ntype(type(x)) is the wrapper: True\n"
# Red team: routes to the real metatype or to class creation that the checker cannot see,
# stopped at run time. `type(cls)` hands back the one-argument wrapper (so calling it with
# three arguments fails), the wrapper cannot be a base class, and the API's own classes can
# neither be instantiated nor subclassed (no hooks can be attached to a handle's class).
def three_arguments():
    return type(int)("Made", (), {"__getattr__": len})
def wrapper_as_base():
    class Made(type(int)):
        pass
def lock_subclass():
    class Spy(type(createlock())):
        pass
def safedict_subclass():
    class Spy(SafeDict):
        pass
def file_subclass():
    class Spy(type(openfile("probe", True))):
        pass
def exception_metaclass():
    class Made(type(ValueError)):
        pass
attempts = [
    three_arguments,
    wrapper_as_base,
    lock_subclass,
    safedict_subclass,
    file_subclass,
    exception_metaclass,
    lambda: type(createlock())(),
    lambda: type(createvirtualnamespace("x = 1", "v"))(),
    lambda: type(int)(1, 2),
]
refused = 0
for attempt in attempts:
    try:
        attempt()
    except TypeError:
        refused += 1
print("refused", refused, "of", len(attempts))
print("type(type(x)) is the wrapper:", type(type(1)) is type(type(SafeDict)))
