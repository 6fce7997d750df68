#! stdout = "1 2 3\n1-2-3!a b\nafter\n"
print(1, 2, 3)
print(1, 2, 3, sep="-", end="!")
log("a")
log("b\n")
print("after")
