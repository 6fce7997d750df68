# Polynomials with integer coefficients: arithmetic, evaluation, derivatives and root finding.

class Polynomial:
    def __init__(self, coefficients):
        coeffs = list(coefficients)
        while len(coeffs) > 1 and coeffs[-1] == 0:
            coeffs.pop()
        self.coeffs = coeffs or [0]

    @classmethod
    def parse(cls, text):
        return cls(int(c) for c in reversed(text.split()))

    @property
    def degree(self):
        return len(self.coeffs) - 1

    def __call__(self, x):
        result = 0
        for c in reversed(self.coeffs):
            result = result * x + c
        return result

    def __add__(self, other):
        n = max(len(self.coeffs), len(other.coeffs))
        a = self.coeffs + [0] * (n - len(self.coeffs))
        b = other.coeffs + [0] * (n - len(other.coeffs))
        return Polynomial(x + y for x, y in zip(a, b))

    def __neg__(self):
        return Polynomial(-c for c in self.coeffs)

    def __sub__(self, other):
        return self + (-other)

    def __mul__(self, other):
        result = [0] * (len(self.coeffs) + len(other.coeffs) - 1)
        for i, a in enumerate(self.coeffs):
            for j, b in enumerate(other.coeffs):
                result[i + j] += a * b
        return Polynomial(result)

    def __pow__(self, n):
        result = Polynomial([1])
        for _ in range(n):
            result = result * self
        return result

    def __eq__(self, other):
        return self.coeffs == other.coeffs

    def derivative(self):
        return Polynomial(i * c for i, c in enumerate(self.coeffs) if i > 0)

    def __str__(self):
        terms = []
        for power in range(self.degree, -1, -1):
            c = self.coeffs[power]
            if c == 0 and self.degree > 0:
                continue
            sign = "-" if c < 0 else "+"
            c = abs(c)
            body = "" if c == 1 and power else str(c)
            if power == 1:
                body += "x"
            elif power > 1:
                body += f"x^{power}"
            terms.append((sign, body))
        first_sign, first = terms[0]
        text = ("-" if first_sign == "-" else "") + first
        for sign, body in terms[1:]:
            text += f" {sign} {body}"
        return text

    def newton(self, guess, steps=30):
        d = self.derivative()
        x = guess
        for _ in range(steps):
            slope = d(x)
            if slope == 0:
                break
            x = x - self(x) / slope
        return x


def main():
    p = Polynomial.parse(input())
    q = Polynomial.parse(input())
    print("p =", p, f"(degree {p.degree})")
    print("q =", q)
    print("p + q =", p + q)
    print("p - q =", p - q)
    print("p * q =", p * q)
    print("q^3 =", q ** 3)
    print("p' =", p.derivative(), "| p'' =", p.derivative().derivative())
    print("p(x) for x in -2..2:", [p(x) for x in range(-2, 3)])
    for guess in (-3, 0.5, 3):
        root = p.newton(guess)
        print(f"root near {guess}: {root:.6f} (p = {p(root):.1e})")
    print("(x+1)^2 == x^2+2x+1:", Polynomial([1, 1]) ** 2 == Polynomial([1, 2, 1]))
    print("zero:", p - p, "| constant:", Polynomial([7]))


main()
