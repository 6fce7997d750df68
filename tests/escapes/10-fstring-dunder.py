# expect: R201
# f-string replacement fields are ordinary expressions.
leak = f"{(1).__class__.__subclasses__()}"
