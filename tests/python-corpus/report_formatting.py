# Formats a sales report from stdin with %-formatting and f-string format specs.

def parse(line):
    region, month, amount, units = line.split(",")
    return region.strip(), month.strip(), float(amount), int(units)


def main():
    header = input()
    rows = []
    while True:
        try:
            line = input()
        except EOFError:
            break
        if line.strip():
            rows.append(parse(line))
    print("Report: %s (%d rows)" % (header.strip(), len(rows)))
    print("%-8s %-5s %12s %6s %8s" % ("region", "month", "amount", "units", "avg"))
    print("%s" % ("=" * 43))
    for region, month, amount, units in rows:
        print("%-8s %-5s %12.2f %6d %8.3f" % (region, month, amount, units, amount / units))
    totals = {}
    for region, _, amount, units in rows:
        a, u = totals.get(region, (0.0, 0))
        totals[region] = (a + amount, u + units)
    grand = sum(a for a, _ in totals.values())
    print()
    for region in sorted(totals, key=lambda r: totals[r][0], reverse=True):
        amount, units = totals[region]
        share = amount / grand
        print(f"{region:<8}|{amount:>12,.2f}|{units:^7d}|{share:>7.1%}|{'*' * round(share * 40)}")
    print(f"{'total':<8}|{grand:>12,.2f}|")
    print("%(n)d regions, best %(best)s, worst %(worst)s" % {
        "n": len(totals),
        "best": max(totals, key=lambda r: totals[r][0]),
        "worst": min(totals, key=lambda r: totals[r][0]),
    })
    values = [amount for _, _, amount, _ in rows]
    print(f"largest sale: {max(values):e}")
    print(f"smallest sale: {min(values):.3g} | as int: {int(min(values)):08d}")
    print("hex of units: " + " ".join("%#06x" % u for _, _, _, u in rows[:4]))
    print("padded: [%5s] [%-5s] [%05.1f] [%+d] [%%]" % ("ab", "cd", 3.14159, 42))
    print(f"sign: {12:+} {-12:+} {12: } | bin {45:#b} oct {45:o} hex {255:X} | {1234567:_}")
    print(f"centered: [{'mid':*^11}] left: [{'l':-<5}] right: [{'r':>5}]")
    print(f"nested width: [{3.14159:{10}.{3}f}] repr: {'quote'!r} ascii: {'café'!a}")


main()
