# Structural pattern matching over parsed commands and nested data.

def parse(token):
    if token.lstrip("-").isdigit():
        return int(token)
    try:
        return float(token)
    except ValueError:
        return token


def describe(value):
    match value:
        case None:
            return "nothing"
        case bool(b):
            return f"a boolean {b}"
        case int(n) if n < 0:
            return f"a negative int {n}"
        case int(n):
            return f"an int {n}"
        case float(x):
            return f"a float {x:.2f}"
        case str() as s if s.isupper():
            return f"a shout {s!r}"
        case str(s):
            return f"a string of {len(s)}"
        case [x, y]:
            return f"a pair ({describe(x)}, {describe(y)})"
        case [first, *rest]:
            return f"a list starting with {describe(first)} and {len(rest)} more"
        case {"type": "point", "x": x, "y": y}:
            return f"a point at {x},{y}"
        case {"type": kind, **others}:
            return f"a {kind} with {sorted(others)}"
        case _:
            return "something else"


def run(command, stack):
    match command.split():
        case ["push", *values]:
            stack.extend(parse(v) for v in values)
        case ["pop"]:
            return stack.pop() if stack else "empty"
        case ["pop", n]:
            popped = [stack.pop() for _ in range(min(int(n), len(stack)))]
            return popped
        case ["add" | "plus"]:
            b, a = stack.pop(), stack.pop()
            stack.append(a + b)
        case ["peek"]:
            return stack[-1:]
        case ["describe"]:
            return [describe(v) for v in stack]
        case []:
            return "blank"
        case [verb, *_]:
            return f"unknown verb {verb}"


stack = []
while True:
    try:
        line = input()
    except EOFError:
        break
    result = run(line, stack)
    if result is not None:
        print(f"{line!r:>16} -> {result}")
print("final stack:", stack)
for sample in [None, True, -3, 7, 2.5, "HEY", "hey", [1, "a"], [1, 2, 3], {"type": "point", "x": 1, "y": 2},
               {"type": "circle", "r": 3, "c": 0}, (1, 2), {1, 2}]:
    print(describe(sample))
