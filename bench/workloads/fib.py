# Recursive fib(25): 242,785 calls.
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


print("checksum", fib(25))
