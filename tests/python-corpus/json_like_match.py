# Evaluates commands given as nested literals with match on builtin class patterns, mappings
# and sequences. Each stdin line is a small command language.

def evaluate(node, env):
    match node:
        case int(n) | float(n):
            return n
        case str(name) if name in env:
            return env[name]
        case str(name):
            raise NameError(f"undefined variable {name!r}")
        case ["+", *args]:
            return sum(evaluate(a, env) for a in args)
        case ["*", *args]:
            result = 1
            for a in args:
                result *= evaluate(a, env)
            return result
        case ["-", a]:
            return -evaluate(a, env)
        case ["-", a, b]:
            return evaluate(a, env) - evaluate(b, env)
        case ["if", cond, then, other]:
            return evaluate(then if evaluate(cond, env) else other, env)
        case ["let", {"name": str(name), "value": value}, body]:
            inner = dict(env)
            inner[name] = evaluate(value, env)
            return evaluate(body, inner)
        case [op, *_]:
            raise ValueError(f"unknown operator {op!r}")
        case _:
            raise TypeError(f"cannot evaluate {node!r}")


def tokenize(text):
    return text.replace("(", " ( ").replace(")", " ) ").split()


def read_expr(tokens):
    token = tokens.pop(0)
    if token == "(":
        items = []
        while tokens[0] != ")":
            items.append(read_expr(tokens))
        tokens.pop(0)
        if items and items[0] == "let":
            _, name, value, body = items
            return ["let", {"name": name, "value": value}, body]
        return items
    for kind in (int, float):
        try:
            return kind(token)
        except ValueError:
            pass
    return token


def main():
    env = {"x": 10, "y": 2.5, "zero": 0}
    count = 0
    while True:
        try:
            line = input().strip()
        except EOFError:
            break
        if not line or line.startswith(";"):
            continue
        count += 1
        expr = read_expr(tokenize(line))
        try:
            print(f"{line} => {evaluate(expr, env)!r}")
        except (NameError, ValueError, TypeError) as err:
            print(f"{line} => {type(err).__name__}: {err}")
    print(count, "expressions")


main()
