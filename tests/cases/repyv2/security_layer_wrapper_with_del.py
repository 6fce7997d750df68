#! restrictions = "restrictions.fixed.net"
#! stdout-contains = ["write refused: negative offset\n", "read: Hi!45678\n", "socket wrapped: ping\n", "hidden attribute refused\n", "wrappers finalized: 2\n", "attack done\n"]
#! stderr-lacks = ["Uncaught", "Internal Error"]
# The constructs of encasementlib.r2py + wrapper.r2py and a course security layer: a wrapper
# class with __del__ around API objects (a file and a socket), a reference monitor that checks
# arguments before calling through, and an attack that probes it.
finalized = []

class Wrapper:
    def __init__(self, target, allowed):
        self._target = target
        self._allowed = allowed
    def call(self, name, *args):
        if name not in self._allowed:
            raise RepyArgumentError("hidden attribute " + name)
        return self._allowed[name](self._target, *args)
    def __del__(self):
        finalized.append(self.__repr__())

def checked_writeat(f, data, offset):
    if offset < 0:
        raise RepyArgumentError("negative offset")
    return f.writeat(data, offset)

file_methods = {
    "writeat": checked_writeat,
    "readat": lambda f, n, o: f.readat(n, o),
    "close": lambda f: f.close(),
}
socket_methods = {"send": lambda s, d: s.send(d), "recv": lambda s, n: s.recv(n),
                  "close": lambda s: s.close()}

# The attack, against the monitored objects only.
f = Wrapper(openfile("testfile.txt", True), file_methods)
f.call("writeat", "12345678", 0)
f.call("writeat", "Hi!", 0)
try:
    f.call("writeat", "x", -1)
except RepyArgumentError as e:
    log("write refused: " + str(e) + "\n")
log("read: " + f.call("readat", 8, 0) + "\n")
try:
    f.call("__class__")
except RepyArgumentError:
    log("hidden attribute refused\n")
f.call("close")

server = listenforconnection("127.0.0.1", 63147)
client = Wrapper(openconnection("127.0.0.1", 63147, "127.0.0.1", 63148, 5), socket_methods)
(ip, port, accepted) = server.getconnection()
client.call("send", "ping")
sleep(0.1)
log("socket wrapped: " + accepted.recv(4) + "\n")
client.call("close")
accepted.close()
server.close()

# Dropping the last references runs the finalizers while the program runs.
f = None
client = None
log("wrappers finalized: %d\n" % len(finalized))
log("attack done\n")
