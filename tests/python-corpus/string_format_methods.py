# str.format and f-string features: positional, named, nested specs, conversions, alignment.

name = input().strip()
values = [float(x) for x in input().split()]
width = int(input())

print("Hello, {}! You have {} values.".format(name, len(values)))
print("{0} and {1}, then {0} again".format("first", "second"))
print("{name:^{w}}|".format(name=name, w=width))
print("{:*<{}}|{:->{}}".format("left", width, "right", width))
for i, v in enumerate(values):
    print("{idx:02d}: {val:>{w}.{p}f} {val:e} {pct:.1%}".format(idx=i, val=v, w=width, p=2, pct=v / sum(values)))
point = {"x": 3, "y": -4}
print("point ({x}, {y})".format(**point))
print("point ({0[x]}, {0[y]}) via index".format(point))
print("format_map: {x}/{y}".format_map(point))
print("items: {0[0]} {0[2]} of {1}".format(values, len(values)))
print("conversions: {!r} {!s} {!a}".format(name, name, name + "é"))
print("numbers: {:,} {:_} {:+.3g} {:08.3f} {:x} {:#b}".format(1234567, 7654321, 0.000123456, -3.14159, 255, 5))
print("bool and None: {} {} {:>6}".format(True, None, str(False)))
print(f"f-string: {name=} {len(values)=} {max(values)=:.1f}")
print(f"{name!r:>{width}} {name.upper():<{width}}|")
print(f"{'nested ' + name:{'^'}{width + 10}}|")
print(f"{3.14159:.{width // 4}f} {1e10:g} {1e-7:g} {123456789.0:.3e} {0.5:%}")
print(f"{{literal braces}} {{{name}}}")
table = [("alpha", 1, 0.5), ("beta", 22, 12.25), ("gamma", 333, 100.0)]
for row in table:
    print("| {:<8}| {:>5} | {:>8.2f} |".format(*row))
template = "{greeting}, {who}{punct}"
print(template.format(greeting="Hi", who=name, punct="!"))
print(str.format("{} via unbound", "str.format"))
try:
    "{} {}".format("only one")
except IndexError as e:
    print("IndexError:", e)
try:
    "{missing}".format(present=1)
except KeyError as e:
    print("KeyError:", e)
