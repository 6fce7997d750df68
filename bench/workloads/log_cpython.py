# 100,000 print calls of one 40-byte line each, to standard output.
ROUNDS = 100000
LINE = "log line with a payload of 40 bytes ...\n"


def log_all():
    for i in range(ROUNDS):
        print(LINE, end="")
    return ROUNDS * len(LINE)


total = log_all()
print("checksum", total)
