# expect: R203
# __getattr__ / __getattribute__ intercept every attribute read.
class Proxy:
    def __getattribute__(self, name):
        return name
