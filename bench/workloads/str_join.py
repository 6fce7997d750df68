# Join 100,000 formatted strings.
def str_join(n):
    parts = [f"{i}:{i * 7 % 13:04d}:%s" % (i % 10,) for i in range(n)]
    text = ",".join(parts)
    return len(text), text[-24:]


print("checksum", str_join(100000))
