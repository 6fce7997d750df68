#! stdout-contains = ["fuzz done: 0 non-Repy errors"]
#! restrictions = "fuzz.toml"
# Calls every API function and method with many combinations of argument values and types
# (deterministic pseudo-random, seeded). A wrong argument must raise a Repy exception:
# anything else escaping the API is a failure here, and an internal error would end the run
# with exit code 125 instead of 0.
seed = [12345]
def rand(n):
    seed[0] = (seed[0] * 1103515245 + 12345) % 2147483648
    return seed[0] % n

class Plain:
    pass

def function():
    return None

lock = createlock()
handle = openfile("fuzzfile", True)
handle.writeat("abc", 0)
server = listenforconnection("127.0.0.1", 63190)
inbox = listenformessage("127.0.0.1", 63190)
vn = createvirtualnamespace("x = 1", "fuzz")
values = [None, True, False, 0, 1, -1, 2 ** 70, 3.5, -2.0, float("nan"), float("inf"), "", "a",
          "127.0.0.1", "fuzzfile", "x" * 200, "\u0100", b"bytes", [], [1], (), {},
          {"a": 1}, set(), Plain(), Plain, function, lambda: 0, len, object(), lock, handle,
          server, inbox, vn, 63190, 63191, 12345, 0.0001, SafeDict(), RepyException]

targets = [
    ("openfile", openfile, 2), ("listfiles", listfiles, 0), ("removefile", removefile, 1),
    ("gethostbyname", gethostbyname, 1), ("getmyip", getmyip, 0),
    ("openconnection", openconnection, 5), ("listenforconnection", listenforconnection, 2),
    ("sendmessage", sendmessage, 5), ("listenformessage", listenformessage, 2),
    ("createthread", createthread, 1), ("getthreadname", getthreadname, 0),
    ("createlock", createlock, 0), ("getruntime", getruntime, 0), ("randombytes", randombytes, 0),
    ("getlasterror", getlasterror, 0), ("getresources", getresources, 0),
    ("createvirtualnamespace", createvirtualnamespace, 2), ("log", log, 1),
    ("readat", handle.readat, 2), ("writeat", handle.writeat, 2),
    ("getconnection", server.getconnection, 0), ("getmessage", inbox.getmessage, 0),
    ("release", lock.release, 1), ("evaluate", vn.evaluate, 1),
]
bad = []
calls = 0
for name, target, arity in targets:
    for round_ in range(60):
        count = arity if rand(4) else rand(6)
        args = [values[rand(len(values))] for _ in range(count)]
        if name == "createthread" and args and args[0] in (function, values[28]):
            continue  # starting real threads is tested elsewhere
        if name == "log":
            args = args[:1]
        calls += 1
        try:
            if rand(10) == 0:
                target(*args, extra=1)
            else:
                target(*args)
        except RepyException:
            pass
        except Exception as e:
            if name in ("evaluate",) and not isinstance(e, (TypeError, ValueError)):
                pass  # code run by evaluate raises what it raises
            elif name != "evaluate":
                bad.append((name, args, repr(e)))
for entry in bad[:10]:
    print("non-Repy error:", entry)
print()
print("fuzz done:", len(bad), "non-Repy errors in", calls, "calls")
