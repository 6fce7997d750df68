# Writes the records read from stdin to a CSV file, appends to it, reads it back and summarizes.

FILENAME = "scores.csv"

rows = []
for line in iter(input, ""):
    name, city, score = [part.strip() for part in line.split(",")]
    rows.append((name, city, int(score)))

with open(FILENAME, "w") as f:
    f.write("name,city,score\n")
    for name, city, score in rows:
        f.write(f"{name},{city},{score}\n")

with open(FILENAME, "a", encoding="utf-8") as f:
    print("Zoë,Zürich,77", file=f)
    f.writelines(["Yan,Oslo,64\n", "Xi,Lima,91\n"])

with open(FILENAME) as f:
    header = f.readline().rstrip("\n").split(",")
    records = [dict(zip(header, line.rstrip("\n").split(","))) for line in f]
print("header:", header)
print(len(records), "records read back")

by_city = {}
for r in records:
    by_city.setdefault(r["city"], []).append(int(r["score"]))
for city in sorted(by_city):
    scores = by_city[city]
    print(f"{city:<8} n={len(scores)} mean={sum(scores) / len(scores):6.2f} best={max(scores)}")

with open("report.txt", "w") as out:
    for r in sorted(records, key=lambda r: -int(r["score"])):
        out.write("{name:<6} {score:>3}\n".format(**r))
with open("report.txt") as f:
    text = f.read()
print(text, end="")
print("lines:", text.count("\n"), "bytes:", len(text.encode("utf-8")), "chars:", len(text))
with open("report.txt", "rb") as f:
    raw = f.read(12)
print("raw head:", raw)
try:
    with open("missing.txt") as f:
        print(f.read())
except FileNotFoundError as e:
    print("FileNotFoundError:", e.filename)
except OSError as e:
    print("OSError:", type(e).__name__)
