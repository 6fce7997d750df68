# Word statistics with collections: Counter, defaultdict, deque (a sliding window) and ChainMap.
from collections import ChainMap, Counter, defaultdict, deque

text = []
while True:
    try:
        text.append(input())
    except EOFError:
        break

words = [w.strip(".,;:!?\"'()").lower() for line in text for w in line.split()]
words = [w for w in words if w]
counts = Counter(words)
print("total:", sum(counts.values()), "distinct:", len(counts))
for word, n in counts.most_common(6):
    print(f"{word:>8} {n}")
print("counter arithmetic:", (Counter("mississippi") - Counter("sip")).most_common(2), Counter("aab") + Counter("bc"))
by_first = defaultdict(list)
for w in sorted(set(words)):
    by_first[w[0]].append(w)
print("by first letter:", {k: v for k, v in sorted(by_first.items()) if len(v) > 2})
lengths = defaultdict(int)
for w in words:
    lengths[len(w)] += 1
print("length histogram:", sorted(lengths.items()))
window = deque(maxlen=3)
best = (0, ())
for w in words:
    window.append(w)
    total = sum(len(x) for x in window)
    if total > best[0]:
        best = (total, tuple(window))
print("longest 3-word window:", best)
d = deque(range(6))
d.rotate(2)
d.appendleft(-1)
print("deque:", d, d.popleft(), d.pop(), list(d))
defaults = {"sep": ", ", "limit": 3}
config = ChainMap({"limit": 5}, defaults)
print("chainmap:", config["limit"], config["sep"], dict(config))
print(counts["the"], counts["absent"], counts.total())
