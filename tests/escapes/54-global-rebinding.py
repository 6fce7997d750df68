# expect: R104
# global rebinds names of the shared namespace from inside functions.
def replace():
    global openfile
    openfile = None
