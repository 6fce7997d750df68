#! stdout = "loaded mathlib: 5 [<module mathlib>] greet: hello, ada\nmissing: RepyImportError\n"
#! files = { "mathlib.r2py" = "def add(a, b):\n    return a + b\n\nclass Greeter:\n    def __init__(self, name):\n        self.name = name\n    def __str__(self):\n        return 'hello, ' + self.name\n    def greet(self):\n        return self.__str__()\n" }
# The constructs of seattlelib's dylink.r2py: a module loader that reads a module's source from
# the vessel, evaluates it in a virtual namespace over a copy of the program's context, and
# hands its symbols back as a module object whose __str__/__repr__ the loader calls itself.
class RepyImportError(Exception):
    pass

class ModuleObject:
    def __init__(self, name, context):
        self.name = name
        for symbol in context:
            if not symbol.startswith("_"):
                setmodule_attribute(self, symbol, context[symbol])
    def __repr__(self):
        return "<module " + self.name + ">"
    def __str__(self):
        return self.__repr__()

def setmodule_attribute(module, symbol, value):
    module.symbols = getmodule_symbols(module)
    module.symbols[symbol] = value

def getmodule_symbols(module):
    try:
        return module.symbols
    except AttributeError:
        return {}

def import_module(name):
    try:
        f = openfile(name + ".r2py", False)
    except FileNotFoundError:
        raise RepyImportError("no module " + name)
    code = f.readat(None, 0)
    f.close()
    virt = createvirtualnamespace(code, name + ".r2py")
    context = _context.copy()
    context["callfunc"] = "import"
    result = virt.evaluate(context)
    return ModuleObject(name, result)

mathlib = import_module("mathlib")
symbols = mathlib.symbols
greeter = symbols["Greeter"]("ada")
log("loaded mathlib:", symbols["add"](2, 3), [mathlib], "greet:", greeter.greet() + "\n")
try:
    import_module("nosuchmodule")
except RepyImportError:
    log("missing: RepyImportError\n")
