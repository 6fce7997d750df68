# expect: R201
# __self__ of a builtin method is its module or object.
owner = len.__self__
