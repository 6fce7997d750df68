# A rational number class with arithmetic, comparison, hashing and parsing from stdin.

def gcd(a, b):
    while b:
        a, b = b, a % b
    return abs(a)


class Fraction:
    def __init__(self, numerator, denominator=1):
        if denominator == 0:
            raise ZeroDivisionError("denominator is zero")
        if denominator < 0:
            numerator, denominator = -numerator, -denominator
        g = gcd(numerator, denominator) or 1
        self.num = numerator // g
        self.den = denominator // g

    @classmethod
    def parse(cls, text):
        if "/" in text:
            a, b = text.split("/")
            return cls(int(a), int(b))
        return cls(int(text))

    def __repr__(self):
        return f"Fraction({self.num}, {self.den})"

    def __str__(self):
        return str(self.num) if self.den == 1 else f"{self.num}/{self.den}"

    def __add__(self, other):
        other = other if isinstance(other, Fraction) else Fraction(other)
        return Fraction(self.num * other.den + other.num * self.den, self.den * other.den)

    __radd__ = __add__

    def __sub__(self, other):
        return self + Fraction(-other.num, other.den)

    def __mul__(self, other):
        other = other if isinstance(other, Fraction) else Fraction(other)
        return Fraction(self.num * other.num, self.den * other.den)

    def __truediv__(self, other):
        return self * Fraction(other.den, other.num)

    def __neg__(self):
        return Fraction(-self.num, self.den)

    def __eq__(self, other):
        if isinstance(other, int):
            other = Fraction(other)
        if not isinstance(other, Fraction):
            return NotImplemented
        return self.num == other.num and self.den == other.den

    def __lt__(self, other):
        return self.num * other.den < other.num * self.den

    def __le__(self, other):
        return self == other or self < other

    def __hash__(self):
        return hash((self.num, self.den))

    def __float__(self):
        return self.num / self.den


def main():
    fractions = []
    try:
        while True:
            line = input().strip()
            if line:
                fractions.extend(Fraction.parse(tok) for tok in line.split())
    except EOFError:
        pass
    print("read:", ", ".join(str(f) for f in fractions))
    print("repr of first:", repr(fractions[0]))
    total = sum(fractions)
    print("sum:", total)
    product = Fraction(1)
    for f in fractions:
        product = product * f
    print("product:", product)
    print("sorted:", [str(f) for f in sorted(fractions)])
    print("distinct:", len(set(fractions)))
    print("max:", max(fractions), "min:", min(fractions))
    print("1/2 == 2/4:", Fraction(1, 2) == Fraction(2, 4))
    print("3 == 6/2:", Fraction(6, 2) == 3)
    print("half of last:", fractions[-1] / Fraction(2))
    print("negated:", -fractions[1])
    print("harmonic H5:", sum(Fraction(1, k) for k in range(1, 6)))
    try:
        Fraction(1, 0)
    except ZeroDivisionError as err:
        print("error:", err)


main()
