# An inventory with validated properties, class-level registries and alternative constructors.

class ValidationError(ValueError):
    pass


class Product:
    registry = {}
    tax_rate = 0.2

    def __init__(self, sku, name, price, quantity=0):
        self.sku = sku
        self.name = name
        self.price = price
        self.quantity = quantity
        Product.registry[sku] = self

    @property
    def price(self):
        return self._price

    @price.setter
    def price(self, value):
        if value < 0:
            raise ValidationError(f"price of {self.name} cannot be negative: {value}")
        self._price = round(value, 2)

    @property
    def quantity(self):
        return self._quantity

    @quantity.setter
    def quantity(self, value):
        if not isinstance(value, int):
            raise ValidationError(f"quantity must be an int, not {type(value).__name__}")
        self._quantity = value

    @property
    def gross_price(self):
        return round(self.price * (1 + self.tax_rate), 2)

    @property
    def stock_value(self):
        return self.price * self.quantity

    @classmethod
    def from_line(cls, line):
        sku, name, price, quantity = [part.strip() for part in line.split(";")]
        return cls(sku, name, float(price), int(quantity))

    @classmethod
    def lookup(cls, sku):
        return cls.registry.get(sku)

    @staticmethod
    def format_money(amount):
        return f"{amount:>10,.2f}"

    def __repr__(self):
        return f"Product({self.sku!r}, {self.name!r}, {self.price}, {self.quantity})"


class Perishable(Product):
    tax_rate = 0.07

    def __init__(self, sku, name, price, quantity=0, days_left=7):
        super().__init__(sku, name, price, quantity)
        self.days_left = days_left

    @property
    def gross_price(self):
        base = super().gross_price
        return round(base * 0.5, 2) if self.days_left <= 2 else base


def main():
    count = int(input())
    for _ in range(count):
        line = input()
        try:
            Product.from_line(line)
        except (ValidationError, ValueError) as err:
            print("rejected:", line, "->", err)
    Perishable("P-1", "milk", 1.19, 40, days_left=2)
    Perishable("P-2", "cheese", 7.5, 12, days_left=20)
    print(f"{'sku':<6}{'name':<12}{'net':>10}{'gross':>10}{'qty':>6}{'value':>12}")
    for sku in sorted(Product.registry):
        p = Product.lookup(sku)
        print(f"{p.sku:<6}{p.name:<12}{Product.format_money(p.price)}{p.gross_price:>10.2f}"
              f"{p.quantity:>6}{Product.format_money(p.stock_value)}  ")
    total = sum(p.stock_value for p in Product.registry.values())
    print("total stock value:", Product.format_money(total).strip())
    widget = Product.lookup("W-1")
    try:
        widget.price = -3
    except ValidationError as err:
        print("error:", err)
    try:
        widget.quantity = 2.5
    except ValidationError as err:
        print("error:", err)
    widget.price = 19.999
    print(repr(widget), widget.gross_price)
    print("missing:", Product.lookup("nope"))
    cheap = sorted((p for p in Product.registry.values() if p.price < 10), key=lambda p: (p.price, p.sku))
    print("cheap:", [p.name for p in cheap])


main()
