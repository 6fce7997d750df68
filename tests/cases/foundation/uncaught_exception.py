#! exit = 6
#! stdout = "before\n"
#! stderr-contains = ["Uncaught exception!", "\"program.py\", line 8, in inner", "raise ValueError(\"boom\")", "\"program.py\", line 10, in <module>", "Exception (with class 'ValueError'): boom"]
# An uncaught exception prints the user traceback naming the program's own lines and exits
# with RepyV2's code 6; log output written before it is all there.
log("before\n")
def inner():
    raise ValueError("boom")

inner()
log("never\n")
