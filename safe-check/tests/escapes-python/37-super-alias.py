# expect: run namespace: the real `super` must refuse arguments itself (R403 sees only the name `super`)
# An alias hides the two-argument call from R403.
walk = super
def bypass(handle, Accounted):
    return walk(Accounted, handle).read()
