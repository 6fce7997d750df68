# expect: R202
# Hooks can be installed by assignment in a class body, not only by def.
def hook(self, name):
    return name
class Proxy:
    __getattr__ = hook
