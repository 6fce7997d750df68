# Logs 1,000-byte chunks until getruntime() reaches callargs[0] seconds (nanny accuracy:
# lograte, measured from outside by counting the bytes of standard output over time).
CHUNK = "x" * 999 + "\n"


def flood(seconds):
    while getruntime() < seconds:
        log(CHUNK)


flood(float(callargs[0]))
