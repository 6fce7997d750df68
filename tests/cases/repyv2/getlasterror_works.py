#! stdout = "done\n"
# Upstream: ut_repyv2api_getlasterrorworks. getlasterror returns None outside a handler;
# inside one it returns the report an uncaught exception would print (long, naming the
# raising function), and it clears the exception so a second call returns None.
text = getlasterror()
if text is not None:
    log("got a report without an exception:", text, "\n")

try:
    v = 5 / 0
except:
    text = getlasterror()
    if text is None or len(text) < 100:
        log("report missing or too short:", repr(text), "\n")
    elif "ZeroDivisionError" not in text:
        log("report does not name ZeroDivisionError:", text, "\n")
else:
    log("5 / 0 did not raise\n")

def badfunc():
    raise Exception("Error!")

try:
    badfunc()
except:
    text = getlasterror()
    if text is None or "badfunc" not in text:
        log("report does not name badfunc:", repr(text), "\n")
else:
    log("badfunc did not raise\n")

again = getlasterror()
if again is not None:
    log("the report was not cleared:", again, "\n")
log("done\n")
