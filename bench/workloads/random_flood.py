# Calls randombytes() until getruntime() reaches callargs[0] seconds and logs ".\n" per
# call (nanny accuracy: random, measured from outside: one line of output per call).
def flood(seconds):
    while getruntime() < seconds:
        if len(randombytes()) == 1024:
            log(".\n")


flood(float(callargs[0]))
