#! exit = 6
#! stdout = "str called 1\n"
#! stderr-contains = ["Exception (with class 'E'): boom"]
# The uncaught exception's own __str__ is the program's code: it runs once, while the run
# ends, for both the printed traceback and the report.
count = [0]
class E(Exception):
    def __str__(self):
        count[0] += 1
        log("str called %d\n" % count[0])
        return "boom"
raise E()
