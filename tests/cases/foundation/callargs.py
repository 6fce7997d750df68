#! args = ["one", "--two", "-x", "3"]
#! stdout = "['one', '--two', '-x', '3'] initialize {} \n"
# Everything after PROGRAM belongs to the program, options included.
log(callargs, callfunc, mycontext, "\n")
