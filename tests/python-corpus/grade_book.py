# Reads "name score score ..." lines until end of input and prints a grade report.

def letter(average):
    if average >= 90:
        return "A"
    elif average >= 80:
        return "B"
    elif average >= 70:
        return "C"
    elif average >= 60:
        return "D"
    return "F"


students = {}
bad_lines = 0
while True:
    try:
        line = input()
    except EOFError:
        break
    parts = line.split()
    if not parts:
        continue
    name, *raw = parts
    try:
        scores = [int(s) for s in raw]
    except ValueError as e:
        print("skipping line for", name, "-", e)
        bad_lines += 1
        continue
    students.setdefault(name, []).extend(scores)

averages = {name: sum(s) / len(s) for name, s in students.items() if s}
print("%-10s %6s %5s %s" % ("Name", "Avg", "Grade", "Scores"))
print("-" * 40)
for name in sorted(averages, key=lambda n: (-averages[n], n)):
    avg = averages[name]
    print("%-10s %6.2f %5s %s" % (name, avg, letter(avg), students[name]))

by_grade = {}
for name, avg in averages.items():
    by_grade.setdefault(letter(avg), []).append(name)
for grade in "ABCDF":
    names = sorted(by_grade.get(grade, []))
    print(f"{grade}: {len(names)} student(s){': ' + ', '.join(names) if names else ''}")

all_scores = [s for scores in students.values() for s in scores]
print("class average: %.3f over %d scores" % (sum(all_scores) / len(all_scores), len(all_scores)))
print("highest single score:", max(all_scores), "by", [n for n, s in students.items() if max(all_scores) in s])
print("lines skipped:", bad_lines)
