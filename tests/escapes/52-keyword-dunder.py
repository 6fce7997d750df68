# expect: R202
# Keyword names are identifiers too.
options = dict(__class__=1)
