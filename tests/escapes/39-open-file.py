# expect: R401
secret = open("/etc/passwd").read()
