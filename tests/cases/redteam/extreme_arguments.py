#! stdout-contains = ["extreme arguments: 0 unexpected"]
# Red team: numeric and size extremes at the API boundary. Every call must raise a Repy
# exception (or succeed harmlessly); an internal error would end the run with exit 125, a
# Rust panic would surface as a non-Repy exception, a hang would time out.
unexpected = []
def attempt(label, thunk, may_succeed=False):
    try:
        thunk()
    except RepyException:
        return
    except Exception as error:
        unexpected.append((label, repr(error)))
        return
    if not may_succeed:
        unexpected.append((label, "was not refused"))

handle = openfile("edge", True)
handle.writeat("abc", 0)
attempt("readat huge size", lambda: handle.readat(2 ** 62, 0), True)
attempt("readat size past i64", lambda: handle.readat(2 ** 64, 0))
attempt("readat negative size", lambda: handle.readat(-1, 0))
attempt("readat offset past end", lambda: handle.readat(1, 2 ** 62))
attempt("readat offset past i64", lambda: handle.readat(1, 2 ** 63))
attempt("readat bool offset", lambda: handle.readat(1, True))
attempt("writeat offset past end", lambda: handle.writeat("x", 2 ** 62))
attempt("writeat negative offset", lambda: handle.writeat("x", -1))
attempt("writeat non-latin-1 text", lambda: handle.writeat("\u20ac", 0))
attempt("writeat lone surrogate", lambda: handle.writeat("\ud800", 0))
attempt("writeat 4 MB", lambda: handle.writeat("z" * (4 << 20), 0), True)
attempt("sleep nan", lambda: sleep(float("nan")))
attempt("sleep inf", lambda: sleep(float("inf")))
attempt("sleep negative", lambda: sleep(-1))
attempt("sleep negative zero", lambda: sleep(-0.0), True)
attempt("sleep huge int", lambda: sleep(10 ** 400))
attempt("sleep bool", lambda: sleep(True))
attempt("lock int blocking", lambda: createlock().acquire(1))
attempt("lock double release", lambda: createlock().release())
attempt("openfile lone surrogate", lambda: openfile("\ud800", True))
attempt("openfile long name", lambda: openfile("a" * 10000, True))
attempt("openfile dot-dot", lambda: openfile("..", True))
attempt("openfile slash", lambda: openfile("a/b", True))
attempt("removefile open file", lambda: removefile("edge"))
attempt("createthread builtin", lambda: createthread(print))
attempt("createthread class", lambda: createthread(SafeDict))
attempt("gethostbyname long", lambda: gethostbyname("a" * 100000))
attempt("gethostbyname nul", lambda: gethostbyname("local\x00host"))
attempt("vn nul", lambda: createvirtualnamespace("x = 1\x00", "v"))
attempt("vn name nul", lambda: createvirtualnamespace("x = 1", "v\x00"))
attempt("vn surrogate", lambda: createvirtualnamespace("x = '\ud800'", "v"))
attempt("vn cr only", lambda: createvirtualnamespace("x = 1\ry = x.__class__", "v"))
attempt("vn form feed", lambda: createvirtualnamespace("\x0cx = 1\n\x0cy = x.__class__\n", "v"))
attempt("vn coding cookie", lambda: createvirtualnamespace("# coding: rot13\nk = 1\n", "v"), True)
handle.close()
attempt("closed readat", lambda: handle.readat(1, 0))
attempt("closed writeat", lambda: handle.writeat("x", 0))
attempt("closed close", lambda: handle.close())
for label, text in unexpected:
    log(label, text, "\n")
print("extreme arguments:", len(unexpected), "unexpected")
