# Build a dict of 200,000 items and sort its items.
def dict_sort(n):
    table = {}
    x = 12345
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        table[i] = x
    ordered = sorted(table.items(), key=lambda item: item[1])
    total = 0
    for rank in range(0, n, 1000):
        total = (total * 31 + ordered[rank][0]) % 1000000007
    return len(ordered), total


print("checksum", dict_sort(200000))
