# Classical ciphers: Caesar with brute force, Vigenère, and Atbash, on lines from stdin.

def shift_char(ch, k):
    if ch.isupper():
        return chr((ord(ch) - ord("A") + k) % 26 + ord("A"))
    if ch.islower():
        return chr((ord(ch) - ord("a") + k) % 26 + ord("a"))
    return ch


def caesar(text, k):
    return "".join(shift_char(c, k) for c in text)


def vigenere(text, key, decrypt=False):
    out = []
    shifts = [ord(k) - ord("a") for k in key.lower()]
    i = 0
    for ch in text:
        if ch.isalpha():
            s = shifts[i % len(shifts)]
            out.append(shift_char(ch, -s if decrypt else s))
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def atbash(text):
    lower = "abcdefghijklmnopqrstuvwxyz"
    table = str.maketrans(lower + lower.upper(), lower[::-1] + lower.upper()[::-1])
    return text.translate(table)


ENGLISH = "etaoinshrdlu"


def score(text):
    return sum(len(ENGLISH) - ENGLISH.index(c) for c in text.lower() if c in ENGLISH)


key = input().strip()
shift = int(input())
for line in iter(input, "END"):
    enc = caesar(line, shift)
    print("plain:   ", line)
    print("caesar:  ", enc)
    assert caesar(enc, -shift) == line
    v = vigenere(line, key)
    print("vigenere:", v)
    print("back:    ", vigenere(v, key, decrypt=True))
    print("atbash:  ", atbash(line))
    best = max(range(26), key=lambda k: score(caesar(enc, -k)))
    print(f"cracked shift {best}: {caesar(enc, -best)!r}")
    print()
