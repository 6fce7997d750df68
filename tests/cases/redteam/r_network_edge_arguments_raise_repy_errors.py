#! restrictions = "redteam-fixes.toml"
#! stdout-contains = ["tcp 1.1.1.1 AddressBindingError", "udp 1.1.1.1 AddressBindingError", "udp 127.255.255.255 ResourceForbiddenError", "huge timeout ConnectionRefusedError", "done"]
# Red-team findings: a loopback local address towards a public destination (EINVAL), a
# broadcast destination (EACCES) and a timeout of 1e19 seconds (a Rust panic, catchable as
# PanicException) ended the sandbox or leaked an internal type. Each is a Repy exception.
names = {AddressBindingError: "AddressBindingError", ResourceForbiddenError: "ResourceForbiddenError",
         ConnectionRefusedError: "ConnectionRefusedError", InternetConnectivityError: "InternetConnectivityError"}
for dest in ["1.1.1.1", "127.255.255.255", "192.0.2.255"]:
    try:
        openconnection(dest, 12346, "127.0.0.1", 12310, 1)
    except RepyException as e:
        print("tcp", dest, names.get(type(e), "other"))
    try:
        sendmessage(dest, 12346, "hi", "127.0.0.1", 12311)
    except RepyException as e:
        print("udp", dest, names.get(type(e), "other"))
try:
    openconnection("127.0.0.1", 12347, "127.0.0.1", 12312, 1e19)
except RepyException as e:
    print("huge timeout", names.get(type(e), "other"))
print("done")
