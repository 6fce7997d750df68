# expect: R401
# exec was a keyword in RepyV2's Python 2: no alias of it, no call of it.
run = exec
run('log("ESCAPED")')
