# Grade book: reads "name score score ..." lines, computes averages, letters and ranks.

class Student:
    def __init__(self, name, scores):
        self.name = name
        self.scores = scores

    @property
    def average(self):
        return sum(self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def letter(self):
        avg = self.average
        for threshold, letter in ((90, "A"), (80, "B"), (70, "C"), (60, "D")):
            if avg >= threshold:
                return letter
        return "F"

    def __lt__(self, other):
        return (-self.average, self.name) < (-other.average, other.name)

    def __eq__(self, other):
        return self.name == other.name and self.scores == other.scores

    def __repr__(self):
        return f"Student({self.name!r}, {self.scores})"


def read_students():
    students = []
    problems = []
    while True:
        try:
            line = input()
        except EOFError:
            return students, problems
        if not line.strip():
            continue
        name, *marks = line.split()
        try:
            scores = [int(m) for m in marks]
        except ValueError as err:
            problems.append(f"{name}: {err}")
            continue
        if any(not 0 <= s <= 100 for s in scores):
            problems.append(f"{name}: score out of range in {scores}")
            continue
        students.append(Student(name.title(), scores))


def main():
    students, problems = read_students()
    for p in problems:
        print("skipped", p)
    ranked = sorted(students)
    print(f"{'rank':<5}{'name':<10}{'avg':>7}  grade  scores")
    rank = 0
    previous = None
    for position, s in enumerate(ranked, 1):
        if s.average != previous:
            rank = position
            previous = s.average
        print(f"{rank:<5}{s.name:<10}{s.average:>7.2f}  {s.letter:^5}  {s.scores}")
    distribution = {}
    for s in students:
        distribution[s.letter] = distribution.get(s.letter, 0) + 1
    print("distribution:", " ".join(f"{k}={distribution[k]}" for k in sorted(distribution)))
    n_tests = max(len(s.scores) for s in students)
    for t in range(n_tests):
        col = [s.scores[t] for s in students if len(s.scores) > t]
        best = max(students, key=lambda s: s.scores[t] if len(s.scores) > t else -1)
        print(f"test {t + 1}: mean {sum(col) / len(col):6.2f}, best {best.name} ({best.scores[t]})")
    improved = [s.name for s in students if len(s.scores) > 1 and s.scores[-1] > s.scores[0]]
    print("improved:", sorted(improved, key=str.lower))
    by_letter = sorted(students, key=lambda s: (s.letter, len(s.name), s.name))
    print([repr(s) for s in by_letter][:3])


main()
