# Context managers: a timer-free tracer, a suppressing manager, a transaction that rolls back.

class Tracer:
    depth = 0

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        print("  " * Tracer.depth + f"enter {self.name}")
        Tracer.depth += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        Tracer.depth -= 1
        status = "ok" if exc_type is None else f"error {exc_type.__name__}: {exc}"
        print("  " * Tracer.depth + f"exit {self.name} ({status})")
        return False


class Suppress:
    def __init__(self, *kinds):
        self.kinds = kinds
        self.caught = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, self.kinds):
            self.caught.append(repr(exc))
            return True
        return False


class Transaction:
    def __init__(self, store):
        self.store = store

    def __enter__(self):
        self.snapshot = dict(self.store)
        return self.store

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.store.clear()
            self.store.update(self.snapshot)
            print(f"rolled back after {exc_type.__name__}")
        else:
            print("committed")
        return exc_type is KeyError


def main():
    with Tracer("outer"):
        with Tracer("middle") as t:
            print("  " * Tracer.depth + f"inside {t.name}")
            with Tracer("inner"):
                pass
    try:
        with Tracer("failing"):
            raise ValueError("boom")
    except ValueError as err:
        print("caught outside:", err)

    quiet = Suppress(ZeroDivisionError, KeyError)
    for divisor in (2, 0, 5, 0):
        with quiet:
            print("10 /", divisor, "=", 10 / divisor)
    with quiet:
        {}["missing"]
    print("suppressed:", quiet.caught)

    store = {"apples": 3, "pears": 5}
    with Transaction(store) as s:
        s["apples"] -= 1
    print(store)
    with Transaction(store) as s:
        s["pears"] += 10
        s["plums"] = s["cherries"]
    print(store)
    try:
        with Transaction(store) as s:
            s.clear()
            raise RuntimeError("disk full")
    except RuntimeError as err:
        print("propagated:", err)
    print(store)
    lines = []
    while True:
        try:
            lines.append(input())
        except EOFError:
            break
    with Tracer(f"{len(lines)} lines") as t, Suppress(IndexError) as s:
        print(lines[0].upper(), lines[5])
    print("after:", s.caught)


main()
