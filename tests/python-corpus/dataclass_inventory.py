# An inventory with dataclasses and typing: ordering, defaults, frozen keys, asdict, replace.
from dataclasses import asdict, dataclass, field, replace
from typing import Dict, List, Optional


@dataclass(frozen=True, order=True)
class Sku:
    category: str
    code: int


@dataclass(order=True)
class Product:
    sort_key: tuple = field(init=False, repr=False)
    sku: Sku
    name: str
    price: float
    stock: int = 0
    tags: List[str] = field(default_factory=list, compare=False)

    def __post_init__(self):
        self.sort_key = (self.sku.category, -self.price)

    @property
    def value(self) -> float:
        return self.price * self.stock


@dataclass
class Inventory:
    products: Dict[Sku, Product] = field(default_factory=dict)

    def add(self, product: Product) -> None:
        self.products[product.sku] = product

    def find(self, name: str) -> Optional[Product]:
        return next((p for p in self.products.values() if p.name == name), None)

    def restock(self, name: str, amount: int) -> Optional[Product]:
        p = self.find(name)
        if p is not None:
            p.stock += amount
        return p


inv = Inventory()
for line in iter(input, ""):
    cat, code, name, price, stock, *tags = line.split()
    inv.add(Product(Sku(cat, int(code)), name, float(price), int(stock), tags))
for p in sorted(inv.products.values()):
    print(p, f"value={p.value:.2f}")
print(inv.restock("lamp", 5))
print(inv.find("sofa"))
chair = inv.find("chair")
print(asdict(chair)["sku"], replace(chair, price=1.0).price, chair.price)
print(Sku("a", 1) == Sku("a", 1), Sku("a", 2) < Sku("b", 1), hash(Sku("x", 1)) == hash(Sku("x", 1)))
try:
    chair.sku.code = 9
except Exception as e:
    print(type(e).__name__, e)
