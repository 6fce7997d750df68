#! stdout = "caught OSError\nIOError is OSError: True\nall 21 names\n"
# RepyV2's allow-list named these exception classes, and its programs use them: catching
# OSError around a call, raising IOError, subclassing Warning.
try:
    raise IOError("x")
except OSError:
    log("caught OSError\n")
log("IOError is OSError: %s\n" % (IOError is OSError and EnvironmentError is OSError))
names = [OSError, EnvironmentError, IOError, EOFError, ImportError, SyntaxError,
         IndentationError, TabError, SystemError, ReferenceError, FloatingPointError,
         UnicodeTranslateError, KeyboardInterrupt, SystemExit, Warning, UserWarning,
         DeprecationWarning, PendingDeprecationWarning, RuntimeWarning, SyntaxWarning,
         FutureWarning]
class MyWarning(UserWarning):
    pass
ok = [n for n in names if issubclass(n, BaseException)]
log("all", len(ok), "names\n")
