# expect: run RunBuiltinException
secret = open("/etc/passwd").read()
log("ESCAPED")
