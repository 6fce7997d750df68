# Reads a JSON document from stdin, queries and transforms it, and writes JSON back out.
import json

document = json.loads("\n".join(iter(input, "---")))
print("type:", type(document).__name__, "keys:", sorted(document))
orders = document["orders"]
for order in orders:
    total = sum(item["qty"] * item["price"] for item in order["items"])
    order["total"] = round(total, 2)
    print(f"order {order['id']}: {len(order['items'])} items, total {order['total']:.2f}, paid={order['paid']}")
unpaid = [o["id"] for o in orders if not o["paid"]]
summary = {
    "customer": document["customer"]["name"],
    "orders": len(orders),
    "unpaid": unpaid,
    "revenue": round(sum(o["total"] for o in orders), 2),
    "tags": sorted({t for o in orders for t in o.get("tags", [])}),
    "note": None,
}
print(json.dumps(summary))
print(json.dumps(summary, indent=2, sort_keys=True))
print(json.dumps({"unicode": "café ☕", "float": 1e-7, "big": 10 ** 20, "tuple": (1, 2)}))
print(json.dumps({"unicode": "café"}, ensure_ascii=False), json.dumps([1, 2], separators=(",", ":")))
line = input()
try:
    json.loads(line)
except json.JSONDecodeError as e:
    print("bad json:", e.msg, "at line", e.lineno, "column", e.colno)
print(json.loads('{"a": [1, 2.5, true, null, "x"]}'), json.loads("3"), json.loads('"\\u00e9"'))
