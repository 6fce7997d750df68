# expect: run ValueError
# A finalizer used to reach past the program's end: the uncaught exception's traceback holds
# main's frame, and the frame the object; freeing them after the report would run __del__
# (writing a file, printing, changing the exit code) after the program has ended.
class Late:
    def __del__(self):
        log("ESCAPED")
        openfile("escaped", True).close()
        exitall()
def main():
    keep = Late()
    raise ValueError("the end")
main()
