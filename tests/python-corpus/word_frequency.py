# Counts words in the text on standard input (until end of file) and prints the most common.

def normalise(word):
    kept = "".join(ch for ch in word.lower() if ch.isalnum() or ch == "'")
    return kept.strip("'")


def read_lines():
    lines = []
    while True:
        try:
            lines.append(input())
        except EOFError:
            break
    return lines


def main():
    lines = read_lines()
    counts = {}
    first_seen = {}
    position = 0
    for line in lines:
        for raw in line.split():
            word = normalise(raw)
            if not word:
                continue
            counts[word] = counts.get(word, 0) + 1
            if word not in first_seen:
                first_seen[word] = position
            position += 1
    print(f"{len(lines)} lines, {position} words, {len(counts)} distinct")
    ranking = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    print("top words:")
    for rank, (word, count) in enumerate(ranking[:8], start=1):
        bar = "#" * count
        print(f"{rank:>2}. {word:<10} {count:>3} {bar}")
    longest = max(counts, key=lambda w: (len(w), w))
    print(f"longest word: {longest!r} ({len(longest)} letters)")
    singles = sorted((w for w, c in counts.items() if c == 1), key=lambda w: first_seen[w])
    print("seen once, in order:", ", ".join(singles[:10]))
    by_letter = {}
    for word in counts:
        by_letter.setdefault(word[0], []).append(word)
    for letter in sorted(by_letter)[:5]:
        print(f"  {letter}: {sorted(by_letter[letter])}")


main()
