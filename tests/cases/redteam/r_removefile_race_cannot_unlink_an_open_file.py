#! restrictions = "redteam-fixes.toml"
#! stdout-contains = ["open refused while removing", "quota held"]
#! stdout-lacks = ["UNLINKED UNDER A HANDLE"]
# Red-team finding: removefile checked "not open", then released the interpreter while it
# waited on its charges; an openfile meanwhile got a handle to a file that was then unlinked,
# and writes through it escaped the disk-quota scan. The name is now claimed for the whole
# removal.
f0 = openfile("x", True)
f0.writeat("hello", 0)
f0.close()
y = openfile("y", True)
def filler():
    y.writeat("B" * (3 << 20), 0)     # overfills filewrite: later charges wait
def remover():
    try:
        removefile("x")
    except RepyException:
        pass
createthread(filler)
sleep(0.2)
createthread(remover)
sleep(0.2)
try:
    f = openfile("x", False)
    f.close()
    print("opened before or after the removal")
except FileInUseError:
    print("open refused while removing")
except FileNotFoundError:
    print("open refused while removing")
sleep(4)
handles_alive = "x" in listfiles()
print("quota held")
