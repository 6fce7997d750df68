# Generators as pipelines and coroutines: send(), yield from, close(), generator expressions.

def running_average():
    total = 0.0
    count = 0
    average = None
    while True:
        value = yield average
        if value is None:
            break
        total += value
        count += 1
        average = total / count
    return count


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def take(n, iterable):
    for i, x in enumerate(iterable):
        if i == n:
            return
        yield x


def flatten(nested):
    for item in nested:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


def chunks(seq, size):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def tokens():
    while True:
        try:
            line = input()
        except EOFError:
            return
        yield from line.split()


def delegator(results):
    while True:
        count = yield from running_average()
        results.append(count)


words = list(tokens())
numbers = [float(w) for w in words if w.replace(".", "", 1).lstrip("-").isdigit()]
print("numbers:", numbers)

avg = running_average()
next(avg)
for x in numbers:
    print(f"after {x:g}: average {avg.send(x):.3f}")
try:
    avg.send(None)
except StopIteration as stop:
    print("coroutine finished after", stop.value, "values")

results = []
d = delegator(results)
next(d)
for x in (1, 2, 3):
    d.send(x)
d.send(None)
for x in (10, 20):
    d.send(x)
d.send(None)
d.close()
print("delegated counts:", results)

print("fib:", list(take(15, fib())))
print("even fib sum < 4e6:", sum(x for x in take(100, fib()) if x % 2 == 0 and x < 4_000_000))
print("flatten:", list(flatten([1, [2, [3, [4, 5]], 6], [[7]], 8])))
print("chunks:", list(chunks([w for w in words if not w[0].isdigit() and w[0] != "-"], 3)))
squares = (n * n for n in range(10))
print("next:", next(squares), next(squares), "rest sum:", sum(squares), "exhausted:", next(squares, "done"))
gen = fib()
print("islice by hand:", [next(gen) for _ in range(5)], next(gen))
lengths = {w: len(w) for w in words if w.isalpha()}
print("lengths:", sorted(lengths.items(), key=lambda kv: (kv[1], kv[0]))[:6])
