#! stdout = "top level done\nreleased: 1 event held\n"
#! restrictions = "restrictions.fixed"
# RepyV2 releases the main program's `events` item when its top level ends; librepy's run
# loop waits for the count to drop back like this thread does (it hung under repy before).
def waiter():
    start = getruntime()
    while getresources()[1]["events"] > 1:
        if getruntime() - start > 5:
            log("never released\n")
            exitall()
        sleep(0.01)
    log("released: %d event held\n" % getresources()[1]["events"])
createthread(waiter)
log("top level done\n")
