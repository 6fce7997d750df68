#! stdout = "['thread', 'main']\n"
# RepyV2 switched to a new thread as soon as createthread started it; programs (and lock-heavy
# tests) rely on the new thread having run before the creator's next line.
order = []
def worker():
    order.append("thread")
createthread(worker)
order.append("main")
sleep(0.2)
log(str(order) + "\n")
