# A log-processing pipeline of generators: read, parse, filter, window and summarise.

def read_lines():
    while True:
        try:
            yield input()
        except EOFError:
            return


def parse(lines):
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            level, service, latency = line.split()
            yield {"line": number, "level": level, "service": service, "ms": int(latency)}
        except ValueError:
            yield {"line": number, "level": "BAD", "service": "-", "ms": 0}


def only(records, *levels):
    return (r for r in records if r["level"] in levels)


def windows(items, size):
    window = []
    for item in items:
        window.append(item)
        if len(window) == size:
            yield tuple(window)
            window.pop(0)


def flatten(nested):
    for item in nested:
        if isinstance(item, (list, tuple)):
            yield from flatten(item)
        else:
            yield item


def running_average():
    total = count = 0
    average = None
    while True:
        value = yield average
        total += value
        count += 1
        average = total / count


def take(n, iterable):
    for i, item in enumerate(iterable):
        if i >= n:
            return
        yield item


def main():
    records = list(parse(read_lines()))
    print(len(records), "records")
    bad = [r["line"] for r in records if r["level"] == "BAD"]
    print("malformed lines:", bad)
    problems = list(only(records, "WARN", "ERROR"))
    for r in problems:
        print(f"  line {r['line']:>2} {r['level']:<5} {r['service']:<8} {r['ms']:>5} ms")
    latencies = [r["ms"] for r in records if r["level"] != "BAD"]
    smooth = [sum(w) / len(w) for w in windows(latencies, 3)]
    print("moving average:", [f"{x:.1f}" for x in smooth])
    averager = running_average()
    next(averager)
    for ms in latencies[:5]:
        print(f"running average after {ms}: {averager.send(ms):.2f}")
    by_service = {}
    for r in records:
        by_service.setdefault(r["service"], []).append(r["ms"])
    for service, values in sorted(by_service.items()):
        print(f"{service:<8} n={len(values)} max={max(values)}")
    print(list(flatten([1, [2, [3, (4, 5)], []], 6])))
    squares = (n * n for n in range(10 ** 9))
    print(list(take(6, squares)), "and the generator is", type(squares).__name__)


main()
