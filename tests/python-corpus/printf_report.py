# An inventory report built entirely with printf-style % formatting.

records = []
header = input().split(",")
for line in iter(input, "."):
    fields = dict(zip(header, line.split(",")))
    fields["qty"] = int(fields["qty"])
    fields["price"] = float(fields["price"])
    records.append(fields)

print("%-12s|%6s|%10s|%12s" % ("item", "qty", "price", "value"))
print("%s+%s+%s+%s" % ("-" * 12, "-" * 6, "-" * 10, "-" * 12))
total = 0
for r in records:
    value = r["qty"] * r["price"]
    total += value
    print("%(name)-12s|%(qty)6d|%(price)10.2f|" % r + "%12.2f" % value)
print("%-12s|%6s|%10s|%12.2f" % ("TOTAL", "", "", total))
print()
print("share of value:")
for r in sorted(records, key=lambda r: r["qty"] * r["price"], reverse=True):
    share = r["qty"] * r["price"] / total
    print("  %-10s %5.1f%% %s" % (r["name"], share * 100, "*" * int(share * 40)))
print()
n = len(records)
print("%d records, %i distinct names, %.3e total, %g mean" % (n, len({r["name"] for r in records}), total, total / n))
print("hex %x, HEX %X, octal %o, alt %#x %#o" % (255, 255, 8, 255, 8))
print("padded %05d, signed %+d %+d, space % d" % (42, 42, -42, 42))
print("char %c%c%c, repr %r, str %s" % (72, 105, 33, "quote's", None))
print("width from args: [%*d] [%-*s] [%.*f]" % (6, 7, 6, "ab", 3, 3.14159))
print("percent literal: 100%%, tuple %s" % ((1, 2),))
print("%s" % [r["name"] for r in records[:2]])
