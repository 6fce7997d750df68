# A shopping cart with items, discounts and a receipt, driven by commands on stdin.

class OutOfStock(Exception):
    def __init__(self, name, wanted, available):
        super().__init__(f"only {available} of {name} left, wanted {wanted}")
        self.name = name
        self.wanted = wanted
        self.available = available


class Item:
    def __init__(self, name, price, stock):
        self.name = name
        self.price = price
        self.stock = stock

    def __repr__(self):
        return f"{self.__class__.__name__}({self.name!r}, {self.price}, {self.stock})"

    def __eq__(self, other):
        if not isinstance(other, Item):
            return NotImplemented
        return self.name == other.name

    def __hash__(self):
        return hash(self.name)

    def __lt__(self, other):
        return (self.price, self.name) < (other.price, other.name)


class Cart:
    def __init__(self, catalog):
        self.catalog = catalog
        self.lines = {}
        self.discount = 0

    def add(self, name, qty):
        item = self.catalog[name]
        have = self.lines.get(item, 0)
        if have + qty > item.stock:
            raise OutOfStock(name, have + qty, item.stock)
        self.lines[item] = have + qty

    def remove(self, name):
        del self.lines[self.catalog[name]]

    def __len__(self):
        return sum(self.lines.values())

    def __iter__(self):
        return iter(sorted(self.lines.items()))

    def __contains__(self, name):
        return any(item.name == name for item in self.lines)

    @property
    def subtotal(self):
        return sum(item.price * qty for item, qty in self.lines.items())

    @property
    def total(self):
        return round(self.subtotal * (100 - self.discount) / 100, 2)


catalog = {}
for _ in range(int(input())):
    name, price, stock = input().split()
    catalog[name] = Item(name, float(price), int(stock))
print(sorted(catalog.values()))

cart = Cart(catalog)
while True:
    try:
        command = input().split()
    except EOFError:
        break
    if not command:
        continue
    op, args = command[0], command[1:]
    try:
        if op == "add":
            cart.add(args[0], int(args[1]))
        elif op == "remove":
            cart.remove(args[0])
        elif op == "discount":
            cart.discount = int(args[0])
        elif op == "has":
            print(args[0], "in cart:", args[0] in cart)
        else:
            print("unknown command:", op)
    except OutOfStock as e:
        print("out of stock:", e, (e.wanted, e.available))
    except KeyError as e:
        print("no such item:", e)
    except (IndexError, ValueError) as e:
        print(f"bad command {' '.join(command)!r}: {type(e).__name__}: {e}")

print(f"{len(cart)} items")
for item, qty in cart:
    print(f"  {item.name:<10}{qty:>3} x {item.price:6.2f} = {qty * item.price:8.2f}")
print(f"  {'subtotal':<22}{cart.subtotal:>8.2f}")
print(f"  {'discount':<22}{cart.discount:>7}%")
print(f"  {'total':<22}{cart.total:>8.2f}")
