# Groups words into anagram classes and finds palindromes, reading one word per line.

def normalize(word):
    return "".join(ch for ch in word.lower() if ch.isalnum())


def is_palindrome(text):
    cleaned = normalize(text)
    return len(cleaned) > 1 and cleaned == cleaned[::-1]


class AnagramIndex:
    def __init__(self):
        self._groups = {}

    def add(self, word):
        key = tuple(sorted(normalize(word)))
        self._groups.setdefault(key, []).append(word)

    def groups(self, min_size=2):
        found = [sorted(g, key=str.lower) for g in self._groups.values() if len(g) >= min_size]
        return sorted(found, key=lambda g: (-len(g), g[0].lower()))

    def __len__(self):
        return len(self._groups)


index = AnagramIndex()
lines = []
while True:
    try:
        line = input().strip()
    except EOFError:
        break
    if line:
        lines.append(line)
        index.add(line)

print(len(lines), "entries,", len(index), "distinct letter multisets")
for group in index.groups():
    print(f"{len(group)}: {' '.join(group)}")
print("palindromes:", [l for l in lines if is_palindrome(l)])
signature = {l: "".join(sorted(normalize(l))) for l in lines}
print("longest signature:", max(signature.items(), key=lambda kv: (len(kv[1]), kv[0])))
caps = sorted({l.capitalize() for l in lines if " " not in l})[:5]
print("capitalized:", caps, "title:", "madam in eden".title(), "swap:", "PyThOn".swapcase())
print("centered:", "[" + "racecar".center(13, "*") + "]", "zfill:", "7".zfill(3), "ljust:", "ab".ljust(5, ".") + "|")
print("starts:", [l for l in lines if l.lower().startswith(("re", "li"))])
print("count of e:", sum(l.lower().count("e") for l in lines), "find:", "listen".find("ten"), "rfind:", "banana".rfind("an"))
