#! stdout = "shrunk: []\nassigned: [9, 1, 9, 3]\ndeleted: [1, 3]\n"
# CPython 3.11 measured an extended slice and took the list's items before iterating the
# value; an iterator that shrank the list made it write and decref past the new array
# (gh-120384: a crash, and with id() a controlled write). The value is now a list first.
lst = list(range(10))
class It:
    def __init__(self):
        self.i = 0
    def __iter__(self):
        return self
    def __next__(self):
        self.i += 1
        if self.i > 10:
            lst.clear()
            raise StopIteration
        return 0
try:
    lst[::-1] = It()
except ValueError:
    pass
log("shrunk: " + str(lst) + "\n")
other = [0, 1, 2, 3]
other[::2] = (x for x in [9, 9])
log("assigned: " + str(other) + "\n")
del other[::2]
log("deleted: " + str(other) + "\n")
