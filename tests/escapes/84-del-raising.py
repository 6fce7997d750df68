# expect: run finished
# A finalizer raising: CPython would print the exception through sys.stderr, unbounded and
# unaccounted. The sandbox's hook prints a bounded, lograte-charged report and the program
# goes on; the report must not carry the 2 MB message.
class Loud:
    def __del__(self):
        raise ValueError("ESCAPED" * 300000)
noise = Loud()
del noise
log("still running\n")
