# expect: R201
# Nested replacement fields in a format spec are expressions too.
width = 3
leak = f"{width:{width.__class__}}"
