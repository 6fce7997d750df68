# Converts between Roman numerals and integers, validating input lines until end of file.

class RomanError(ValueError):
    pass


NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def to_roman(n):
    if not 0 < n < 4000:
        raise RomanError(f"{n} is out of range (1..3999)")
    parts = []
    for value, symbol in NUMERALS:
        count, n = divmod(n, value)
        parts.append(symbol * count)
    return "".join(parts)


def from_roman(text):
    text = text.upper()
    if not text or any(ch not in VALUES for ch in text):
        raise RomanError(f"{text!r} is not a Roman numeral")
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        value = VALUES[ch]
        if nxt != " " and VALUES[nxt] > value:
            total -= value
        else:
            total += value
    if to_roman(total) != text:
        raise RomanError(f"{text!r} is not canonical (did you mean {to_roman(total)}?)")
    return total


def main():
    results = []
    while True:
        try:
            token = input().strip()
        except EOFError:
            break
        if not token:
            continue
        try:
            if token.lstrip("-").isdigit():
                roman = to_roman(int(token))
                results.append((int(token), roman))
                print(f"{token:>8} -> {roman}")
            else:
                value = from_roman(token)
                results.append((value, token.upper()))
                print(f"{token:>8} -> {value}")
        except RomanError as err:
            print(f"{token:>8} !! {err}")
    results.sort()
    print("sorted:", ", ".join(r for _, r in results))
    print("sum below 1000:", to_roman(sum(v for v, _ in results if v < 1000)))
    print("longest under 100:", max((to_roman(i) for i in range(1, 100)), key=len))


main()
