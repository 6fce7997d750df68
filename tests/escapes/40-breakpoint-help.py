# expect: R401
# Both drop into interactive machinery (pdb, pydoc) with imports of their own.
breakpoint()
help(object)
