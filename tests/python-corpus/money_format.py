# A Money value class that formats itself in f-strings through __format__, with arithmetic,
# ordering and hashing, splitting a bill read from standard input.

class Money:
    def __init__(self, cents, currency="EUR"):
        self.cents = int(cents)
        self.currency = currency

    @classmethod
    def parse(cls, text):
        whole, _, frac = text.partition(".")
        frac = (frac + "00")[:2]
        sign = -1 if whole.startswith("-") else 1
        return cls(sign * (abs(int(whole)) * 100 + int(frac)))

    def __format__(self, spec):
        sign = "-" if self.cents < 0 else ""
        text = f"{sign}{abs(self.cents) // 100:,}.{abs(self.cents) % 100:02d} {self.currency}"
        return f"{text:{spec}}" if spec else text

    def __str__(self):
        return f"{self}"

    def __repr__(self):
        return f"Money({self.cents}, {self.currency!r})"

    def __add__(self, other):
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other):
        return Money(self.cents - other.cents, self.currency)

    def __mul__(self, factor):
        return Money(round(self.cents * factor), self.currency)

    def __eq__(self, other):
        return (self.cents, self.currency) == (other.cents, other.currency)

    def __lt__(self, other):
        return self.cents < other.cents

    def __hash__(self):
        return hash((self.cents, self.currency))

    def split(self, n):
        base, extra = divmod(self.cents, n)
        return [Money(base + (1 if i < extra else 0), self.currency) for i in range(n)]


def main():
    people = input().split()
    items = []
    while True:
        try:
            line = input()
        except EOFError:
            break
        name, price, *sharers = line.split()
        items.append((name, Money.parse(price), sharers or people))
    owed = {p: Money(0) for p in people}
    for name, price, sharers in items:
        shares = price.split(len(sharers))
        for person, share in zip(sharers, shares):
            owed[person] = owed[person] + share
        print(f"{name:<10}{price:>14} split {len(sharers)} ways: {', '.join(str(s) for s in shares)}")
    subtotal = Money(0)
    for _, price, _ in items:
        subtotal = subtotal + price
    tip = subtotal * 0.15
    print(f"{'subtotal':<10}{subtotal:>14}")
    print(f"{'tip 15%':<10}{tip:>14}")
    for person in sorted(owed, key=lambda p: owed[p], reverse=True):
        total = owed[person] + owed[person] * 0.15
        print(f"  {person:<8}{owed[person]:>13} -> {total:*^18}")
    print(repr(max(owed.values())), len(set(owed.values())), "distinct amounts")
    print(f"negative: {Money.parse('-3.5')} | big: {Money(123456789):>20}")


main()
