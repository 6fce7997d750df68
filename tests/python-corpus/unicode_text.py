# Unicode-aware text statistics on lines with accents, other scripts and emoji.

lines = []
while True:
    try:
        lines.append(input())
    except EOFError:
        break

for line in lines:
    encoded = line.encode("utf-8")
    print(f"{line!r}: {len(line)} chars, {len(encoded)} utf-8 bytes, upper={line.upper()!r}")
    non_ascii = sorted({ch for ch in line if ord(ch) > 127})
    print("   non-ascii:", " ".join(f"{ch}=U+{ord(ch):04X}" for ch in non_ascii))
words = " ".join(lines).split()
print("casefold equal:", "Straße".casefold() == "STRASSE".casefold(), "lower:", "ΣΊΣΥΦΟΣ".lower())
print("sorted words:", sorted(set(w.strip(".,!?") for w in words), key=str.casefold)[:8])
print("isalpha:", [w for w in words if w.isalpha()][:6])
print("digits:", [ch for ch in "٣ 7 ½ ²" if ch.isdigit()], "numeric:", [ch for ch in "٣7½²" if ch.isnumeric()], int("٣٤"))
print("reversed:", lines[0][::-1])
print("centered:", "|" + "naïve".center(11, "·") + "|")
print("chr/ord:", chr(0x263A), ord("€"), "\N{GREEK SMALL LETTER ALPHA}", "\u00e9" == "é")
data = "héllo wörld".encode("utf-8")
print("bytes:", data, data.decode("utf-8"), data.decode("latin-1"), len(data))
print("escape:", ascii("café ☕"), repr("tab\there"), "ascii errors:", "café".encode("ascii", errors="replace"))
try:
    "☕".encode("ascii")
except UnicodeEncodeError as e:
    print("UnicodeEncodeError:", e.reason, e.start, e.end)
