# Sorting and aggregating records with operator.itemgetter, attrgetter and methodcaller.
from functools import reduce
from operator import add, attrgetter, itemgetter, methodcaller, mul
import operator


class City:
    def __init__(self, name, country, population, area):
        self.name = name
        self.country = country
        self.population = population
        self.area = area

    @property
    def density(self):
        return self.population / self.area

    def __repr__(self):
        return f"City({self.name})"


rows = [line.split(",") for line in iter(input, "")]
records = [(name, country, int(pop), float(area)) for name, country, pop, area in rows]
print("by population:", [r[0] for r in sorted(records, key=itemgetter(2), reverse=True)])
print("by country then name:", [r[:2] for r in sorted(records, key=itemgetter(1, 0))])
cities = [City(*r) for r in records]
print("by area:", sorted(cities, key=attrgetter("area")))
print("densest:", max(cities, key=attrgetter("density")), "names:", list(map(attrgetter("name"), cities))[:3])
print("upper names:", list(map(methodcaller("upper"), (c.name for c in cities)))[:3])
print("split:", methodcaller("split", "-")("a-b-c"))
print("total population:", reduce(add, map(itemgetter(2), records)))
print("product 1..10:", reduce(mul, range(1, 11)))
print("ops:", operator.truediv(7, 2), operator.floordiv(7, 2), operator.neg(3), operator.contains("abc", "b"), operator.not_(0))
get_second = itemgetter(1)
print("itemgetter on str and dict:", get_second("xyz"), itemgetter("a", "b")({"a": 1, "b": 2}))
counts = {}
for c in cities:
    counts[c.country] = counts.get(c.country, 0) + 1
print("countries:", sorted(counts.items(), key=itemgetter(1, 0), reverse=True))
