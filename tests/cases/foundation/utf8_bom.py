#! stdout = "bom ok\n"
# A UTF-8 byte-order mark at the start of the file is skipped, as CPython does for files.
print("bom ok")
