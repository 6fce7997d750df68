#! stdout = "payloads: 12 exceptions, 0 carry non-str values\nattribute errors point back at: True True\n"
# Red team: exceptions raised by the API are the objects a program most easily gets from
# the sandbox's side. Their `args` must hold only strings (or the program's own key), and an
# AttributeError about an API handle (Python 3.10+ stores the object in `.obj`) must point
# back at the handle the program already had, never at an internal object.
caught = []
def collect(thunk):
    try:
        thunk()
    except Exception as error:
        caught.append(error)
handle = openfile("payload", True)
lock = createlock()
code = createvirtualnamespace("x = 1", "v")
collect(lambda: openfile("missing", False))
collect(lambda: openfile("payload", True))
collect(lambda: handle.readat(1, 10))
collect(lambda: lock.release())
collect(lambda: sleep("1"))
collect(lambda: createvirtualnamespace("x.__class__", "v"))
collect(lambda: code.evaluate({1: 2}))
collect(lambda: code.evaluate([]))
collect(lambda: SafeDict()["missing"])
collect(lambda: SafeDict().pop("missing"))
collect(lambda: gethostbyname("no.such.name.invalid"))
collect(lambda: log(k=1))
odd = [error for error in caught
       if not all(type(arg) is str for arg in error.args) and error.args != ("missing",)]
print("payloads:", len(caught), "exceptions,", len(odd), "carry non-str values")
try:
    handle.secret
except AttributeError as error:
    first = error.obj is handle
try:
    _context.secret
except AttributeError as error:
    second = error.obj is _context
print("attribute errors point back at:", first, second)
