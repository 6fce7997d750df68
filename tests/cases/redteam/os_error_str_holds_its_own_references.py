#! stdout = "raced: [Errno ERR] victim-str: <V>\nfull: [Errno 2] nope: 'a' -> 'b'\nfile: [Errno 13] denied: 'f'\nplain: [Errno 5] io\nargs: ('only one',)\n"
# CPython 3.11's OSError.__str__ passed borrowed fields to one format call; the %S of errno
# ran the program's __str__, which replaced strerror and filename, and the format then used
# the freed objects (a crash, and with reuse a fake object). The guard holds its own
# references and converts every field to text before formatting.
class Victim:
    def __str__(self):
        return "victim-str"
    def __repr__(self):
        return "<V>"
class S:
    def __str__(self):
        e.strerror = None
        e.filename = None
        keep.append([str(i) * 48 for i in range(1000)])
        return "ERR"
keep = []
e = OSError(S(), Victim(), Victim())
log("raced: " + str(e) + "\n")
log("full: " + str(OSError(2, "nope", "a", None, "b")) + "\n")
log("file: " + str(OSError(13, "denied", "f")) + "\n")
log("plain: " + str(OSError(5, "io")) + "\n")
log("args: " + str(OSError("only one").args) + "\n")
