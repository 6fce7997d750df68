#! stdout = "crash case: True\nplanted compared: 0\nsorted: [[1], [2], [3]]\nmax: [2, 1]\n"
# CPython 3.11 compared the first differing items of two lists through borrowed pointers; a
# tuple item's comparison ran the program's __eq__, which emptied both lists and freed the
# tuples mid-compare (gh-120298): a crash, and with reuse a compare of objects the program
# planted. Orderings now compare private copies that keep every item alive.
n = [0]
class A:
    def __eq__(self, other):
        n[0] += 1
        if n[0] == 2:
            L1.clear()
            L2.clear()
            keep = [(i, i) for i in range(100)]
        return True
    def __lt__(self, other):
        return True
L1 = [(A(), 1, [1] * 3, "q" * 30, 5)]
L2 = [(A(), 1, [2] * 3, "z" * 30, 6)]
log("crash case: " + str(L1 < L2) + "\n")
planted = []
class Spy:
    def __init__(self, tag):
        self.tag = tag
    def __eq__(self, other):
        planted.append(self.tag)
        return True
m = [0]
keep = []
class B:
    def __eq__(self, other):
        m[0] += 1
        if m[0] == 2:
            M1.clear()
            M2.clear()
            keep.append((0, Spy("planted-1"), 0))
            keep.append((0, Spy("planted-2"), 0))
        return True
    def __lt__(self, other):
        return True
M1 = [(B(), 1, 2)]
M2 = [(B(), 1, 3)]
M1 < M2
log("planted compared: " + str(len(planted)) + "\n")
log("sorted: " + str(sorted([[3], [1], [2]])) + "\n")
log("max: " + str(max([[1, 2], [2, 1], [1, 9]])) + "\n")
