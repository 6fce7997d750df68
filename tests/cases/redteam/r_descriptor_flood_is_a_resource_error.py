#! restrictions = "redteam-fixes.toml"
#! stdout = "still alive\n"
# Red-team finding: 80 threads connecting to a listener that never accepts each created a
# socket before taking an outsockets item, ran out of descriptors and ended the sandbox with an
# internal error (125). The item is now taken first; running out is a Repy exception.
server = listenforconnection("127.0.0.1", 12300)
def dial(port):
    def run():
        try:
            openconnection("127.0.0.1", 12300, "127.0.0.1", port, 2.0)
        except RepyException:
            pass
    return run
for i in range(80):
    try:
        createthread(dial(12301 + i))
    except ResourceExhaustedError:
        pass
sleep(3)
print("still alive")
