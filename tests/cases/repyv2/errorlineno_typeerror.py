#! exit = 6
#! stderr-contains = ["line 7"]
# Upstream: ut_errorlineno_typeerror. The error's line number is the program's own.
a = 3
b = 's'
# type error on the next line
c = a + b
