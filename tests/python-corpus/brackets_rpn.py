# A bracket checker and a reverse Polish calculator, each line of stdin "check ..." or "rpn ...".

class CalcError(Exception):
    """Base class of calculator errors."""


class StackUnderflow(CalcError):
    def __init__(self, token):
        super().__init__(f"not enough operands for {token!r}")


class BadToken(CalcError):
    pass


PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


def check_brackets(text):
    stack = []
    for pos, ch in enumerate(text):
        if ch in "([{<":
            stack.append((ch, pos))
        elif ch in PAIRS:
            if not stack:
                return f"unexpected {ch!r} at {pos}"
            opened, where = stack.pop()
            if opened != PAIRS[ch]:
                return f"{opened!r} at {where} closed by {ch!r} at {pos}"
    if stack:
        return f"{len(stack)} unclosed, first {stack[0][0]!r} at {stack[0][1]}"
    return "balanced"


OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
    "^": lambda a, b: a ** b,
}


def rpn(expression):
    stack = []
    for token in expression.split():
        if token in OPERATORS:
            if len(stack) < 2:
                raise StackUnderflow(token)
            b = stack.pop()
            a = stack.pop()
            stack.append(OPERATORS[token](a, b))
        elif token == "dup":
            stack.append(stack[-1])
        else:
            try:
                stack.append(int(token))
            except ValueError:
                try:
                    stack.append(float(token))
                except ValueError as err:
                    raise BadToken(f"cannot read {token!r}") from err
    if len(stack) != 1:
        raise CalcError(f"{len(stack)} values left: {stack}")
    return stack[0]


def main():
    line_no = 0
    errors = 0
    while True:
        try:
            line = input()
        except EOFError:
            break
        line_no += 1
        kind, _, rest = line.partition(" ")
        if kind == "check":
            print(f"{line_no:02d} {rest!r}: {check_brackets(rest)}")
        elif kind == "rpn":
            try:
                value = rpn(rest)
            except ZeroDivisionError:
                errors += 1
                print(f"{line_no:02d} {rest}: division by zero")
            except CalcError as err:
                errors += 1
                cause = err.__cause__
                suffix = f" (caused by {type(cause).__name__})" if cause else ""
                print(f"{line_no:02d} {rest}: {type(err).__name__}: {err}{suffix}")
            else:
                print(f"{line_no:02d} {rest} = {value}")
    print(f"{line_no} lines, {errors} errors")


main()
