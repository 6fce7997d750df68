# ASCII Mandelbrot and Julia sets using Python's built-in complex numbers.

def escape_time(c, z=0j, limit=60):
    for n in range(limit):
        if abs(z) > 2:
            return n
        z = z * z + c
    return limit


def render(width, height, x0, x1, y0, y1, fn):
    palette = " .:-=+*#%@"
    rows = []
    for j in range(height):
        y = y1 - (y1 - y0) * j / (height - 1)
        row = []
        for i in range(width):
            x = x0 + (x1 - x0) * i / (width - 1)
            n = fn(complex(x, y))
            row.append(palette[min(n * len(palette) // 61, len(palette) - 1)])
        rows.append("".join(row).rstrip())
    return rows


w, h = map(int, input().split())
for line in render(w, h, -2.2, 0.8, -1.2, 1.2, lambda c: escape_time(c)):
    print(line)
print()
k = complex(input())
print("julia for c =", k, "real", k.real, "imag", k.imag, "abs", round(abs(k), 6), "conj", k.conjugate())
for line in render(w, h // 2, -1.6, 1.6, -1.0, 1.0, lambda z: escape_time(k, z)):
    print(line)
inside = sum(escape_time(complex(-2 + 3 * i / 99, -1.5 + 3 * j / 99)) == 60 for i in range(100) for j in range(100))
print("area estimate:", inside * 9 / 10000)
print("powers of i:", [1j ** n for n in range(5)], (1 + 2j) * (3 - 1j), (1 + 2j) / (3 - 1j), complex(3, -4).__abs__())
