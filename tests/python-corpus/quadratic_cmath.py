# Solves quadratic equations (real or complex roots) and shows complex-number operations.
import cmath
import math


def solve(a: float, b: float, c: float):
    if a == 0:
        if b == 0:
            raise ValueError("not an equation")
        return (-c / b,)
    disc = b * b - 4 * a * c
    root = cmath.sqrt(disc)
    r1 = (-b + root) / (2 * a)
    r2 = (-b - root) / (2 * a)
    if disc >= 0:
        return tuple(sorted((r1.real, r2.real)))
    return r1, r2


def fmt(z):
    if isinstance(z, complex):
        return f"{z.real:.4f}{z.imag:+.4f}i"
    return f"{z:.4f}"


for line in iter(input, ""):
    a, b, c = map(float, line.split())
    try:
        roots = solve(a, b, c)
    except ValueError as e:
        print(f"{line}: {e}")
        continue
    print(f"{a:g}x² + {b:g}x + {c:g} = 0 -> {', '.join(fmt(r) for r in roots)}")
    for r in roots:
        residual = a * r * r + b * r + c
        assert abs(residual) < 1e-9, residual

z = complex(input())
print("z =", z, "|z| =", abs(z), "phase =", round(cmath.phase(z), 6))
r, phi = cmath.polar(z)
print("polar:", round(r, 6), round(phi, 6), "back:", cmath.rect(r, phi))
print("exp(i*pi) =", cmath.exp(1j * math.pi), "isclose to -1:", cmath.isclose(cmath.exp(1j * math.pi), -1))
print("sqrt(-1) =", cmath.sqrt(-1), "log(-1) =", cmath.log(-1))
roots_of_unity = [cmath.rect(1, 2 * math.pi * k / 6) for k in range(6)]
print("6th roots of unity:", [f"{w.real:+.3f}{w.imag:+.3f}j" for w in roots_of_unity])
print("their sum ~ 0:", abs(sum(roots_of_unity)) < 1e-12)
print("cos/sin:", cmath.cos(z), cmath.sin(z))
