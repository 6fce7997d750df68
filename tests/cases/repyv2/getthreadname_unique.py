#! stdout = "done\n"
# Upstream: ut_repyv2api_getthreadnamebasictest. Three rounds of nine threads: every thread
# name is new (names are never reused), and the main program's is distinct from them all.
names = set()
names.add(getthreadname())
if getthreadname() != "MainThread":
    log("the main program's name is", getthreadname(), "\n")

def record_name():
    name = getthreadname()
    if name in names:
        raise Exception("thread name reused: " + name)
    names.add(name)

ROUNDS = 3
PER_ROUND = 9
for round_number in range(ROUNDS):
    for i in range(PER_ROUND):
        createthread(record_name)
    sleep(1)

if len(names) != ROUNDS * PER_ROUND + 1:
    raise Exception("unexpected thread names: " + str(sorted(names)))
for name in names:
    if name != "MainThread" and not name.startswith("_EVENT:Thread:"):
        log("unexpected thread name", name, "\n")
log("done\n")
