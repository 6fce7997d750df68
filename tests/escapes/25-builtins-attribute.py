# expect: R201
# Every function has __builtins__ (3.10+) and __globals__.
def f():
    pass
real = f.__builtins__
