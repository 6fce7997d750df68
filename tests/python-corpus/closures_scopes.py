# global, nonlocal and closures: counters, accumulators, a tiny event system.

call_count = 0
LOG = []


def log(message):
    global call_count
    call_count += 1
    LOG.append(f"{call_count}: {message}")


def make_accumulator(start=0):
    total = start

    def add(amount):
        nonlocal total
        total += amount
        log(f"add {amount} -> {total}")
        return total

    def reset():
        nonlocal total
        old, total = total, start
        return old

    return add, reset


def make_event_bus():
    handlers = {}

    def on(event):
        def register(func):
            handlers.setdefault(event, []).append(func)
            return func
        return register

    def emit(event, *args):
        results = [handler(*args) for handler in handlers.get(event, [])]
        log(f"emit {event} to {len(results)} handlers")
        return results

    return on, emit


def counter_factory():
    counters = []
    for i in range(3):
        def counter(step=i):
            return step * 10
        counters.append(counter)
    late = [lambda: i for i in range(3)]
    return [c() for c in counters], [f() for f in late]


on, emit = make_event_bus()


@on("greet")
def hello(name):
    return f"hello {name}"


@on("greet")
def shout(name):
    return f"HEY {name.upper()}!"


@on("sum")
def add_all(*numbers):
    return sum(numbers)


def main():
    add, reset = make_accumulator(100)
    for word in input().split():
        add(int(word))
    print("reset returned", reset())
    add(1)
    other_add, _ = make_accumulator()
    other_add(5)
    print(emit("greet", "ada"))
    print(emit("sum", 1, 2, 3))
    print(emit("unknown"))
    print(counter_factory())
    print("calls:", call_count)
    for entry in LOG:
        print(" ", entry)
    x = "global x"

    def outer():
        x = "outer x"

        def inner():
            nonlocal x
            x = "changed by inner"
        inner()
        return x
    print(outer(), "|", x)


main()
