# expect: R203
# Conversion hooks would run program code in the middle of an API call: pyo3's integer
# extraction calls __index__, float() calls __float__, os.fspath calls __fspath__.
class Offset:
    def __index__(self):
        return 0
    def __int__(self):
        return 0
    def __float__(self):
        return 0.0
    def __fspath__(self):
        return "/etc/hostname"
openfile("data", True).readat(Offset(), Offset())
