# Exact rational arithmetic with fractions.Fraction: Egyptian fractions, series, continued fractions.
from fractions import Fraction
import math


def egyptian(frac: Fraction) -> list[Fraction]:
    parts = []
    while frac.numerator:
        unit = Fraction(1, -(-frac.denominator // frac.numerator))
        parts.append(unit)
        frac -= unit
    return parts


def continued_fraction(frac: Fraction) -> list[int]:
    terms = []
    while True:
        whole = math.floor(frac)
        terms.append(whole)
        frac -= whole
        if frac == 0:
            return terms
        frac = 1 / frac


def convergents(terms: list[int]) -> list[Fraction]:
    out = []
    for k in range(1, len(terms) + 1):
        value = Fraction(terms[k - 1])
        for t in reversed(terms[:k - 1]):
            value = t + 1 / value
        out.append(value)
    return out


for token in input().split():
    f = Fraction(token)
    parts = egyptian(f) if 0 < f < 1 else []
    print(f"{token:>7} = {f} ~ {float(f):.6f}; egyptian: {' + '.join(map(str, parts)) or '-'};"
          f" continued: {continued_fraction(f)}")
harmonic = sum(Fraction(1, k) for k in range(1, 11))
print("H(10) =", harmonic, "=", f"{float(harmonic):.10f}")
pi_approx = Fraction(math.pi).limit_denominator(1000)
print("pi ~", pi_approx, "convergents:", [str(c) for c in convergents(continued_fraction(Fraction(355, 113)))])
a, b = Fraction(3, 4), Fraction("5/6")
print(a + b, a - b, a * b, a / b, a ** 2, -a, abs(-b), a < b, a == Fraction(6, 8), round(Fraction(7, 2)))
print(Fraction(0.1), Fraction("0.1"), Fraction(1, 3) + 1, Fraction(2, 3).as_integer_ratio(), int(Fraction(7, 2)))
try:
    Fraction(1, 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
