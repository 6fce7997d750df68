# 100,000 log calls of one 40-byte line each.
ROUNDS = 100000
LINE = "log line with a payload of 40 bytes ...\n"


def log_all():
    for i in range(ROUNDS):
        log(LINE)
    return ROUNDS * len(LINE)


total = log_all()
print("checksum", total)
