# A first repy program: it sees `log`, `print`, `callargs` and a small set of safe builtins.
# Run it with:  cargo run -q -- examples/restrictions.toml examples/hello.py Ada
name = callargs[0] if callargs else "world"
log("Hello,", name + "!\n")

class Counter:
    def __init__(self):
        self.counts = {}

    def add(self, word):
        self.counts[word] = self.counts.get(word, 0) + 1

    def __len__(self):
        return len(self.counts)

counter = Counter()
for word in "the quick brown fox jumps over the lazy dog the end".split():
    counter.add(word)
top = sorted(counter.counts.items(), key=lambda item: (-item[1], item[0]))[:3]
print(f"{len(counter)} distinct words; most frequent: {top}")
print("squares:", [n * n for n in range(1, 6)], "arguments:", callargs)
