#! stdout = "True True True\n"
# `type(x)` gives the type of a value; of a class it gives the restricted `type` back (the
# three-argument form is refused by the checker, rule R402, and by the runtime wrapper).
class A:
    pass
print(type(1) == int, type(A()) == A, type(type(0)) == type(A))
