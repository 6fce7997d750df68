#! stdout = "True True True\ncaught\n"
class A:
    pass
t = type(type(0))
print(type(1) == int, type(A()) == A, t == type)
try:
    type("B", (), {})
except TypeError:
    print("caught")
