#! stdout = "a b c\nd\ne 5 None [1, 'x'] \tf g\nh 3.5 \n"
# RepyV2's log keeps Python 2's `print a,` soft-space rule, byte for byte.
log("a"); log("b"); log("c\n")
log("d\n", "e", 5, None, [1, 'x'], "\t"); log("f"); log(); log("g\n"); log("h", 3.5, "\n")
