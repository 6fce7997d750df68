# Counts the words of a text read until end of input and prints the most frequent ones.

text_lines = []
while True:
    try:
        text_lines.append(input())
    except EOFError:
        break

table = str.maketrans({ch: " " for ch in ".,;:!?\"()[]-"})
words = []
for line in text_lines:
    for word in line.translate(table).lower().split():
        word = word.strip("'")
        if word:
            words.append(word)

counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1

print(f"lines: {len(text_lines)}, words: {len(words)}, distinct: {len(counts)}")
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
width = max(len(w) for w, _ in top)
for rank, (word, n) in enumerate(top, start=1):
    bar = "#" * n
    print(f"{rank:2}. {word:<{width}} {n:3} {bar}")

longest = max(words, key=len)
print("longest word:", longest, f"({len(longest)} letters)")
by_length = {}
for w in counts:
    by_length.setdefault(len(w), []).append(w)
for length in sorted(by_length)[-3:]:
    print(length, sorted(by_length[length]))
letters = {}
for w in words:
    for ch in w:
        if ch.isalpha():
            letters[ch] = letters.get(ch, 0) + 1
print("letters:", "".join(sorted(letters, key=lambda c: (-letters[c], c))))
print("hapax legomena:", sum(1 for n in counts.values() if n == 1))
