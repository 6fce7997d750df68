# expect: R401
# getattr with a computed name dodges every identifier rule.
leak = getattr(1, "__cl" + "ass__")
