# Reads a count and that many integers, one per line, and prints summary statistics.

def read_numbers():
    count = int(input())
    values = []
    for _ in range(count):
        line = input().strip()
        if not line:
            continue
        values.append(int(line))
    return values


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    if n % 2 == 1:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def mode(values):
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values())
    return sorted(v for v, c in counts.items() if c == best)


def variance(values):
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def main():
    values = read_numbers()
    if not values:
        print("no data")
        return
    print(f"count:    {len(values)}")
    print(f"sum:      {sum(values)}")
    print(f"min/max:  {min(values)} / {max(values)}")
    print(f"mean:     {sum(values) / len(values):.3f}")
    print(f"median:   {median(values):.1f}")
    print(f"mode:     {mode(values)}")
    print(f"variance: {variance(values):10.4f}")
    print(f"std dev:  {variance(values) ** 0.5:<10.4f}|")
    evens = [v for v in values if v % 2 == 0]
    odds = [v for v in values if v % 2]
    print(f"evens ({len(evens)}): {evens}")
    print(f"odds  ({len(odds)}): {odds}")
    running = []
    total = 0
    for v in values:
        total += v
        running.append(total)
    print("running totals:", *running)


if __name__ == "__main__":
    main()
