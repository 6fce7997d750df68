# Asks for a range with prompts and prints a Celsius/Fahrenheit/Kelvin conversion table.

def c_to_f(c):
    return c * 9 / 5 + 32


def c_to_k(c):
    return c + 273.15


start = int(input("Start (°C): "))
stop = int(input("Stop (°C): "))
step = int(input("Step: "))
print()
header = "{:>8} | {:>8} | {:>8}".format("°C", "°F", "K")
print(header)
print("=" * len(header))
for c in range(start, stop + 1, step):
    f = c_to_f(c)
    mark = " ← freezing" if c == 0 else (" ← boiling" if c == 100 else "")
    print("{:>8} | {:>8.1f} | {:>8.2f}{}".format(c, f, c_to_k(c), mark))
print()
readings = [float(x) for x in input("Readings (°F): ").split(",")]
for r in readings:
    c = (r - 32) * 5 / 9
    print(f"{r:6.1f} °F = {c:7.2f} °C {'(below zero)' if c < 0 else ''}".rstrip())
print(f"mean: {sum(readings) / len(readings):.2f} °F, spread: {max(readings) - min(readings):.1f}°")
