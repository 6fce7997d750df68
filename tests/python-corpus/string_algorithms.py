# String exercises: palindromes, anagram groups, Caesar cipher, run-length coding, pangrams.

def is_palindrome(text):
    letters = [ch.lower() for ch in text if ch.isalnum()]
    return letters == letters[::-1]


def longest_palindrome(text):
    best = ""
    for centre in range(len(text)):
        for lo, hi in ((centre, centre), (centre, centre + 1)):
            while lo >= 0 and hi < len(text) and text[lo] == text[hi]:
                lo -= 1
                hi += 1
            if hi - lo - 1 > len(best):
                best = text[lo + 1:hi]
    return best


def caesar(text, shift):
    out = []
    for ch in text:
        if ch.isalpha():
            base = ord("a") if ch.islower() else ord("A")
            out.append(chr((ord(ch) - base + shift) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)


def rle_encode(text):
    if not text:
        return ""
    out = []
    run_char, run = text[0], 1
    for ch in text[1:]:
        if ch == run_char:
            run += 1
        else:
            out.append(f"{run}{run_char}")
            run_char, run = ch, 1
    out.append(f"{run}{run_char}")
    return "".join(out)


def rle_decode(code):
    out, digits = [], ""
    for ch in code:
        if ch.isdigit():
            digits += ch
        else:
            out.append(ch * int(digits))
            digits = ""
    return "".join(out)


def main():
    lines = []
    while True:
        try:
            lines.append(input())
        except EOFError:
            break
    for line in lines:
        print(f"{line!r}: palindrome={is_palindrome(line)}, longest={longest_palindrome(line.lower())!r}")
    words = " ".join(lines).lower().replace(",", " ").replace(".", " ").split()
    groups = {}
    for w in words:
        groups.setdefault("".join(sorted(w)), set()).add(w)
    anagrams = sorted(sorted(g) for g in groups.values() if len(g) > 1)
    print("anagram groups:", anagrams)
    secret = caesar(lines[0], 3)
    print("caesar +3:", secret, "| back:", caesar(secret, -3))
    for s in ("aaabccddddd", "abc", "", "zzzzzzzzzzzz"):
        encoded = rle_encode(s)
        print(f"rle {s!r} -> {encoded!r} -> {rle_decode(encoded)!r}")
    alphabet = set("abcdefghijklmnopqrstuvwxyz")
    for line in lines:
        missing = alphabet - set(line.lower())
        print("pangram" if not missing else f"missing {''.join(sorted(missing))}")
    print("title:", lines[-1].title(), "| swapped:", lines[-1].swapcase())
    print("vowels per line:", [sum(ch in "aeiou" for ch in l.lower()) for l in lines])


main()
