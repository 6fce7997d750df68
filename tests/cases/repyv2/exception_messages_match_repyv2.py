#! restrictions = "restrictions.fixed.net"
#! stdout-contains = [
#!   "FileNotFoundError: Cannot openfile non-existent file \"nofile\" without creating it!\n",
#!   "FileInUseError: Cannot open file \"afile\" because it is already open!\n",
#!   "FileInUseError: Cannot remove file \"afile\" because it is in use!\n",
#!   "FileNotFoundError: Cannot remove non-existent file \"nofile\".\n",
#!   "RepyArgumentError: Illegal filename provided!\n",
#!   "LockDoubleReleaseError: Releasing an un-locked lock!\n",
#!   "RepyArgumentError: Provided destip is not valid! IP: '1.2.3'\n",
#!   "RepyArgumentError: Provided localport is not valid! Port: 70000\n",
#!   "ResourceForbiddenError: Provided localport is not allowed! Port: 1\n",
#!   "RepyArgumentError: Provided timeout is not valid, must be positive! Timeout: 0\n",
#!   "RepyArgumentError: Local socket name cannot match destination socket name! Local/Dest IP and Port match.\n",
#!   "NetworkAddressError: The hostname 'no-such-host.invalid' could not be resolved.\n",
#!   "AlreadyListeningError: There is a listening socket on the provided localip and localport!\n",
#! ]
#! stdout-lacks = ["no exception"]
# Programs and tests compare exception messages: these are RepyV2's words, letter for letter.
classes = [("FileNotFoundError", FileNotFoundError), ("FileInUseError", FileInUseError),
           ("LockDoubleReleaseError", LockDoubleReleaseError),
           ("ResourceForbiddenError", ResourceForbiddenError),
           ("NetworkAddressError", NetworkAddressError),
           ("AlreadyListeningError", AlreadyListeningError),
           ("RepyArgumentError", RepyArgumentError)]
def show(call):
    try:
        call()
        log("no exception\n")
    except RepyException as e:
        name = [n for (n, c) in classes if isinstance(e, c)][0]
        log(name + ": " + str(e) + "\n")
f = openfile("afile", True)
lock = createlock()
server = listenforconnection("127.0.0.1", 63149)
for call in [
    lambda: openfile("nofile", False),
    lambda: openfile("afile", True),
    lambda: removefile("afile"),
    lambda: removefile("nofile"),
    lambda: openfile("", True),
    lambda: lock.release(),
    lambda: openconnection("1.2.3", 80, "127.0.0.1", 63141, 1),
    lambda: openconnection("127.0.0.1", 80, "127.0.0.1", 70000, 1),
    lambda: openconnection("127.0.0.1", 80, "127.0.0.1", 1, 1),
    lambda: openconnection("127.0.0.1", 80, "127.0.0.1", 63141, 0),
    lambda: openconnection("127.0.0.1", 63141, "127.0.0.1", 63141, 1),
    lambda: gethostbyname("no-such-host.invalid"),
    lambda: listenforconnection("127.0.0.1", 63149),
]:
    show(call)
