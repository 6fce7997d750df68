# expect: R201
# A function's globals hold the module namespace; its code and closure its internals.
namespace = (lambda: 0).__globals__
code = (lambda: 0).__code__
builtins = (lambda: 0).__builtins__
