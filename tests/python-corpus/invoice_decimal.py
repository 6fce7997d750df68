# An invoice in exact money arithmetic: Decimal amounts read from stdin, tax and discount
# rounded half-up to the cent, a running total, and a split of the total into instalments.
from decimal import Decimal, ROUND_HALF_UP, localcontext

CENT = Decimal("0.01")


def money(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split(total, parts):
    """Instalments that add up to the total exactly: the last one takes the remainder."""
    share = money(total / parts)
    return [share] * (parts - 1) + [total - share * (parts - 1)]


lines = []
rate = Decimal(input().strip())
for raw in iter(input, ""):
    name, quantity, price = raw.split(",")
    lines.append((name.strip(), int(quantity), Decimal(price)))

subtotal = Decimal(0)
for name, quantity, price in lines:
    amount = money(price * quantity)
    subtotal += amount
    print(f"{name:<12}{quantity:>4} x {price:>8} = {amount:>10}")

discount = money(subtotal * Decimal("0.05")) if subtotal > 100 else Decimal("0.00")
tax = money((subtotal - discount) * rate)
total = subtotal - discount + tax
print(f"{'subtotal':<28}{subtotal:>10}")
print(f"{'discount':<28}{-discount:>10}")
print(f"{'tax at ' + str(rate * 100) + '%':<28}{tax:>10}")
print(f"{'total':<28}{total:>10}")
for number, part in enumerate(split(total, 3), 1):
    print(f"instalment {number}: {part}")
print(sum(split(total, 3)) == total, total.as_tuple().exponent)
with localcontext() as ctx:
    ctx.prec = 6
    print("per item:", total / sum(q for _, q, _ in lines))
