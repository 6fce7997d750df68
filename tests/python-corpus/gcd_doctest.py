"""
Greatest common divisor and least common multiple, in the layout of an algorithms
repository: each function documents itself with doctests, and running the file
checks them before printing a few results.
"""


def greatest_common_divisor(a: int, b: int) -> int:
    """
    Calculate the greatest common divisor with Euclid's algorithm.

    >>> greatest_common_divisor(24, 40)
    8
    >>> greatest_common_divisor(1, 1)
    1
    >>> greatest_common_divisor(-3, 9)
    3
    """
    return abs(b) if a == 0 else greatest_common_divisor(b % a, a)


def gcd_by_iterative(x: int, y: int) -> int:
    """
    >>> gcd_by_iterative(24, 40)
    8
    >>> greatest_common_divisor(24, 40) == gcd_by_iterative(24, 40)
    True
    """
    while y:
        x, y = y, x % y
    return abs(x)


def least_common_multiple(a: int, b: int) -> int:
    """
    >>> least_common_multiple(4, 6)
    12
    >>> least_common_multiple(21, 6)
    42
    """
    return a // greatest_common_divisor(a, b) * b


def extended_euclid(a: int, b: int) -> tuple[int, int, int]:
    """
    Return (g, x, y) with a*x + b*y == g.

    >>> extended_euclid(240, 46)
    (2, -9, 47)
    """
    if b == 0:
        return a, 1, 0
    g, x, y = extended_euclid(b, a % b)
    return g, y, x - (a // b) * y


def main() -> None:
    try:
        nums = input("Enter two integers separated by comma (,): ").split(",")
        num_1 = int(nums[0])
        num_2 = int(nums[1])
        print(
            f"greatest_common_divisor({num_1}, {num_2}) = "
            f"{greatest_common_divisor(num_1, num_2)}"
        )
        print(f"By iterative gcd({num_1}, {num_2}) = {gcd_by_iterative(num_1, num_2)}")
        print(f"lcm = {least_common_multiple(num_1, num_2)}")
        print(f"extended = {extended_euclid(num_1, num_2)}")
    except (IndexError, UnboundLocalError, ValueError):
        print("Wrong input")


if __name__ == "__main__":
    import doctest

    doctest.testmod()
    main()
