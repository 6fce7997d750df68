# Root finding, numerical integration and series, compared with the math module.
import math


def bisection(f, lo, hi, tol=1e-12):
    if f(lo) * f(hi) > 0:
        raise ValueError("root not bracketed")
    steps = 0
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if f(lo) * f(mid) <= 0:
            hi = mid
        else:
            lo = mid
        steps += 1
    return (lo + hi) / 2, steps


def newton(f, df, x, tol=1e-14, limit=50):
    for step in range(1, limit + 1):
        nx = x - f(x) / df(x)
        if abs(nx - x) < tol:
            return nx, step
        x = nx
    raise RuntimeError("no convergence")


def simpson(f, a, b, n=100):
    if n % 2:
        n += 1
    h = (b - a) / n
    total = f(a) + f(b)
    total += 4 * sum(f(a + i * h) for i in range(1, n, 2))
    total += 2 * sum(f(a + i * h) for i in range(2, n, 2))
    return total * h / 3


def trapezoid(f, a, b, n=100):
    h = (b - a) / n
    return h * (f(a) / 2 + sum(f(a + i * h) for i in range(1, n)) + f(b) / 2)


def exp_series(x, terms=30):
    return math.fsum(x ** k / math.factorial(k) for k in range(terms))


targets = list(map(float, input().split()))
for t in targets:
    root, steps = bisection(lambda x: x * x - t, 0, max(1.0, t))
    nroot, nsteps = newton(lambda x: x * x - t, lambda x: 2 * x, max(1.0, t))
    print(f"sqrt({t:g}): bisection {root:.12f} ({steps} steps), newton {nroot:.12f} ({nsteps} steps),"
          f" math {math.sqrt(t):.12f}")
cube = newton(lambda x: x ** 3 - 2 * x - 5, lambda x: 3 * x * x - 2, 2.0)[0]
print(f"Wallis' cubic root: {cube:.15f}")
try:
    bisection(math.cos, 0, 1)
except ValueError as e:
    print("bisection error:", e)
for name, f, a, b, exact in [("sin", math.sin, 0, math.pi, 2.0), ("exp", math.exp, 0, 1, math.e - 1),
                             ("1/x", lambda x: 1 / x, 1, math.e, 1.0), ("gauss", lambda x: math.exp(-x * x), -5, 5, math.sqrt(math.pi))]:
    s, tr = simpson(f, a, b), trapezoid(f, a, b)
    print(f"{name:>5}: simpson {s:.10f} err {abs(s - exact):.2e}  trapezoid {tr:.10f} err {abs(tr - exact):.2e}")
for x in (0.5, 1, -2, 10):
    print(f"exp({x}) series {exp_series(x):.12g} math {math.exp(x):.12g} close {math.isclose(exp_series(x), math.exp(x))}")
leibniz = 4 * sum((-1) ** k / (2 * k + 1) for k in range(int(input())))
print(f"leibniz pi {leibniz:.8f} error {math.pi - leibniz:.3e}")
print("fsum vs sum:", math.fsum([0.1] * 10), sum([0.1] * 10))
print("special:", math.gamma(5), math.lgamma(10), math.erf(1), math.inf, -math.inf, math.isnan(math.nan))
print("rounding:", round(2.5), round(3.5), round(-0.5), round(2.675, 2), math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.7))
