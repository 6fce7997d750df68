# Stack and queue types built by subclassing list, with balanced-bracket and postfix checks.

class EmptyError(IndexError):
    pass


class Stack(list):
    def push(self, item):
        self.append(item)

    def pop(self):
        if not self:
            raise EmptyError(f"pop from empty {type(self).__name__}")
        return super().pop()

    def peek(self):
        if not self:
            raise EmptyError("peek at empty stack")
        return self[-1]

    def __repr__(self):
        return f"{type(self).__name__}({list(self)})"


class MinStack(Stack):
    def __init__(self):
        super().__init__()
        self.mins = []

    def push(self, item):
        super().push(item)
        self.mins.append(item if not self.mins else min(item, self.mins[-1]))

    def pop(self):
        self.mins.pop()
        return super().pop()

    def minimum(self):
        return self.mins[-1]


class Queue(list):
    def enqueue(self, item):
        self.insert(0, item)

    def dequeue(self):
        return super().pop()


PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


def balanced(text):
    s = Stack()
    for i, ch in enumerate(text):
        if ch in "([{<":
            s.push((ch, i))
        elif ch in PAIRS:
            try:
                opener, _ = s.pop()
            except EmptyError:
                return f"unexpected {ch!r} at {i}"
            if opener != PAIRS[ch]:
                return f"mismatch {opener!r} / {ch!r} at {i}"
    return "balanced" if not s else f"unclosed {s.peek()[0]!r} at {s.peek()[1]}"


def postfix(expr):
    s = Stack()
    for tok in expr.split():
        if tok in {"+", "-", "*", "/"}:
            b, a = s.pop(), s.pop()
            s.push({"+": a + b, "-": a - b, "*": a * b, "/": a / b}[tok])
        else:
            s.push(float(tok) if "." in tok else int(tok))
    return s.pop() if len(s) == 1 else f"leftover {s!r}"


n = int(input())
for _ in range(n):
    line = input()
    print(f"{line:<24} {balanced(line)}")
for expr in iter(input, "---"):
    try:
        print(f"{expr} = {postfix(expr)}")
    except EmptyError as e:
        print(f"{expr}: {e}")
    except ZeroDivisionError as e:
        print(f"{expr}: {e}")
ms = MinStack()
for v in map(int, input().split()):
    ms.push(v)
out = []
while ms:
    out.append((ms.minimum(), ms.pop()))
print("min/pop:", out, repr(ms), isinstance(ms, list), len(ms))
q = Queue()
for word in "first second third".split():
    q.enqueue(word)
print(q, q.dequeue(), q.dequeue(), q)
s = Stack([3, 1, 2])
s.sort()
print(s, s + [9], type(s + [9]).__name__, s * 2, s[1:], type(s[1:]).__name__)
