# Hand-written decorators without functools: call counting, memoisation, argument checks.

def counted(func):
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def memoize(func):
    cache = {}

    def wrapper(*args):
        if args not in cache:
            cache[args] = func(*args)
        return cache[args]
    wrapper.cache = cache
    wrapper.__name__ = func.__name__
    return wrapper


def check_positive(func):
    def wrapper(n):
        if n < 0:
            raise ValueError(f"{func.__name__}() needs a non-negative argument, got {n}")
        return func(n)
    wrapper.__name__ = func.__name__
    return wrapper


@counted
def slow_fib(n):
    """Exponential Fibonacci."""
    return n if n < 2 else slow_fib(n - 1) + slow_fib(n - 2)


@memoize
@check_positive
def fast_fib(n):
    return n if n < 2 else fast_fib(n - 1) + fast_fib(n - 2)


@counted
def binomial(n, k):
    if k == 0 or k == n:
        return 1
    return binomial(n - 1, k - 1) + binomial(n - 1, k)


def main():
    n = int(input())
    print(f"{slow_fib.__name__}({n}) = {slow_fib(n)} in {slow_fib.calls} calls")
    print("doc:", slow_fib.__doc__)
    print(f"{fast_fib.__name__}(80) = {fast_fib(80)}, cache size {len(fast_fib.cache)}")
    try:
        fast_fib(-1)
    except ValueError as err:
        print("error:", err)
    rows = [[binomial(r, k) for k in range(r + 1)] for r in range(8)]
    width = len(" ".join(map(str, rows[-1])))
    for row in rows:
        print(" ".join(map(str, row)).center(width))
    print("binomial calls:", binomial.calls)


main()
