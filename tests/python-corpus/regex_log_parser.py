# Parses web-server log lines with regular expressions: named groups, findall, sub, split.
import re

LINE = re.compile(
    r'(?P<ip>\d{1,3}(?:\.\d{1,3}){3}) - - \[(?P<day>\d{2})/(?P<month>\w{3})/(?P<year>\d{4}):(?P<time>[\d:]+)[^\]]*\] '
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) (?P<size>\d+|-)'
)

hits = {}
errors = []
bytes_sent = 0
for raw in iter(input, ""):
    m = LINE.match(raw)
    if not m:
        print("unparsed:", raw[:30])
        continue
    path = re.sub(r"\d+", "N", m["path"])
    hits[path] = hits.get(path, 0) + 1
    if m.group("status").startswith(("4", "5")):
        errors.append((m["ip"], m["status"], m["path"]))
    if m["size"] != "-":
        bytes_sent += int(m["size"])
for path, n in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"{n:3} {path}")
print("errors:", errors)
print("bytes:", bytes_sent)
text = input()
print("emails:", re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text))
print("dates:", [f"{d}.{m}.{y}" for y, m, d in re.findall(r"(\d{4})-(\d{2})-(\d{2})", text)])
print("split:", re.split(r"[;,]\s*", "a, b;c ,d;  e"))
print("sub fn:", re.sub(r"\b(\w)(\w*)\b", lambda m: m.group(1).upper() + m.group(2), "hello big world"))
print("fullmatch:", bool(re.fullmatch(r"[A-Z]{2}\d{4}", "AB1234")), bool(re.fullmatch(r"[A-Z]{2}\d{4}", "AB12345")))
print("ignorecase:", re.findall(r"python", "Python PYTHON python", flags=re.IGNORECASE))
print("finditer:", [(m.start(), m.group()) for m in re.finditer(r"\d+", "a1bb22ccc333")])
print("escape:", re.escape("1+1=2?"), "subn:", re.subn(r"\s+", " ", "too   many    spaces"))
