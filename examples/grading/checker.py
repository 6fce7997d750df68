# The checker of the test "sum checked by a checker": repy calls check(input, output,
# expected) in a sandbox of its own. It returns True or False, or [passed, message].


def check(input, output, expected):
    numbers = [int(word) for word in input.split()]
    lines = output.strip().split("\n")
    want = "sum " + str(sum(numbers))
    if not lines or lines[0].strip() != want:
        return [False, "the first line should be '" + want + "'"]
    return True
