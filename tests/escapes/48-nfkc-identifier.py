# expect: R201, R205
# CPython normalises identifiers with NFKC: these are __class__ and format.
leak = ().__ｃlass__
fmt = "".ｆｏｒｍａｔ
