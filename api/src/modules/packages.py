# The python profile's trusted third-party packages (`[python] packages`, imported from
# `[python] site-packages`): what each package's export proxies hold.
#
# Trusted code, run once in the sandbox child BEFORE confinement, with the real builtins and
# the real import system, after stdlib.py. The packages themselves are trusted code the
# checker never sees: the language wall does not cover what they do, the kernel walls and the
# nanny do (docs/packages.md). What this file decides is what the program can NAME: each
# module of a package becomes a native export proxy (api/src/modules.rs) holding the module's
# declared API (its `__all__`, else its public names), its public submodules as proxies of
# their own, and nothing else: no name starting with `_`, no module of another package, none
# of the refusals below.
#
# Names the Rust side provides in this file's globals:
#   _guard(f)           the native wrapper of a Python-level function (cuts the chain of an
#                       exception leaving trusted code)
#   _proxy(name, exports, doc)
#                       the native export proxy
#   _guard_numpy_buffers(types)
#                       each type's buffer export refuses an exporter whose dtype holds object
#                       references
#   _guard_object_arrays(api, object_dtype, generic, void, probe)
#                       numpy's object dtype stores only plain values (numbers, strings,
#                       bytes, None, numpy scalars, tuples of them): api/src/object_array_guard.rs
#   _plain_value(value) value, or TypeError when an object array may not hold it
#   _defer_finalizers() / _gc_phase(phase, info)
#                       finalizers found by the collector run at the next bytecode boundary
#                       (api/src/deferred_finalizers.rs); _gc_phase is the gc.callbacks entry
#   _refuse_string_dtype(dtype, string_dtype)
#                       numpy makes no StringDType instance (api/src/string_dtype_guard.rs)
#   _allow_in_object_arrays(obj)
#                       exactly obj (an object of numpy's) may be stored too
#   _guard_numpy(ndarray, dtype)
#                       installs the guards on numpy's C code (api/src/package_guards.rs):
#                       no object array over a buffer, no `resize(refcheck=False)`
#   _is_program_class(cls)
#                       whether cls was made by the program's `class` statement
#   _set_type_attribute(cls, name, value)
#                       setattr on a (static, immutable) type, slots updated as by
#                       type.__setattr__
#   _text_codec(name)   the canonical name of the text codec `name` names if a program may
#                       name it (api/src/text_guards.rs), else None

import operator as _operator
import os as _os
import sys as _sys
import types as _types

# Modules kept out of the interpreter while the packages import and for the whole run (a
# `None` in `sys.modules` makes their import fail): C-level foreign-function interfaces turn
# an integer into memory to read, write or call; an `mmap` object (numpy's `memmap.base`) can
# be closed or resized under the arrays that point into it. A package that finds them
# missing runs without them (numpy's `ndarray.ctypes` then has no ctypes object to hand out;
# `memmap` and `load(mmap_mode=...)` raise ImportError).
KEPT_OUT = ("ctypes", "_ctypes", "cffi", "_cffi_backend", "mmap")

# Thread pools of numerical libraries, set to one thread before they load: their threads would
# be created before confinement, outside the program's thread count, and run on every core.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

# Submodule names no package exports: test suites and build tools (they run compilers and
# subprocesses, and import what nothing else needs).
REFUSED_SUBMODULE_NAMES = frozenset({"testing", "tests", "test", "conftest", "f2py",
                                     "distutils", "ctypeslib"})

# Standard-library modules a package imports inside a function, imported with it when the
# build has them (nothing can be imported once confined): numpy's `load` of an `.npz`
# (zipfile), the text readers' compressed files and their test of whether a
# name is a URL (`urllib.parse`; fetching one needs `urllib.request`, never imported).
LAZY_IMPORTS = {"numpy": ("zipfile", "gzip", "bz2", "lzma", "urllib.parse")}

# Codecs trusted code may look up besides the program's text codecs: zipfile decodes member
# names without the UTF-8 flag as cp437 (a one-byte table; a program's `decode` still
# refuses it).
TRUSTED_CODECS = ("cp437",)

# Dotted names never exported, each with its reason (docs/packages.md lists them).
REFUSED = {
    "numpy.core": "a deprecated alias whose attributes are numpy's private `_core` modules",
    "numpy.ctypeslib": "turns integers into pointers: memory outside any array",
    "numpy.lib.stride_tricks.as_strided":
        "makes a view with any strides, unchecked: memory outside the array",
    "numpy.memmap": "its `base` is an mmap object (kept out: see KEPT_OUT)",
    "numpy.lib.format.open_memmap": "makes a numpy.memmap",
    "numpy.dtypes.StringDType":
        "variable-width strings, refused (api/src/string_dtype_guard.rs); as a dtype the "
        "class makes numpy 2.4.6 use an instance it could not make, unchecked (a crash)",
}

# Guards on a package's C code, installed once it is imported (api/src/package_guards.rs),
# and once the proxies are built (their lazily loaded submodules imported).
C_GUARDS = {"numpy": lambda numpy: (_guard_numpy(numpy.ndarray, numpy.dtype),
                                     _guard_numpy_object_arrays(numpy),
                                     _refuse_string_dtype(numpy.dtype,
                                                          numpy.dtypes.StringDType))}
AFTER_IMPORT_GUARDS = {"numpy": lambda numpy: (_allow_numpy_object_types(),
                                                _guard_numpy_random(numpy),
                                                _guard_numpy_strings(numpy),
                                                _guard_numpy_scalars(numpy),
                                                _guard_numpy_buffers(_numpy_buffer_types(numpy)))}


def _guard_numpy_strings(numpy):
    """StringDType's bugs in numpy 2.4.6 (red-team rounds 21-22). `numpy.strings.replace`
    (and `numpy.char.replace`, which calls it) on a StringDType
    array with a negative count other than -1 sized its output smaller than its input and
    copied the input in anyway: a heap overflow of the program's length and bytes (red-team
    round 21). The ufunc it calls, looked up in its module at each call, is replaced there by
    one refusing such counts (the count is an array numpy made: checked and passed as is)."""
    strings = _sys.modules.get("numpy._core.strings")
    real = getattr(strings, "_replace", None)

    def _replace(arr, old, new, count, *args, **kwargs):
        count = numpy.asanyarray(count)
        if type(count) is not numpy.ndarray:
            raise TypeError("count must be an int or an array of ints")
        if count.size and bool((count < -1).any()):
            raise ValueError("count must be -1 (every occurrence) or at least 0")
        return real(arr, old, new, count, *args, **kwargs)

    if real is not None:
        strings._replace = _replace

    # `numpy.strings.slice` on StringDType with a step of 2**31 or more: numpy 2.4.6 walks its
    # output in an `int` index, which the step truncates (out of bounds: a crash). Its ufunc
    # is replaced there likewise by one refusing such steps (the step is an array numpy made).
    real_slice = getattr(strings, "_slice", None)
    if real_slice is not None:
        def _slice(arr, start, stop, step, *args, **kwargs):
            if bool((numpy.abs(numpy.asanyarray(step)) >= 2**31).any()):
                raise ValueError("a slice step must be below 2**31 in magnitude")
            return real_slice(arr, start, stop, step, *args, **kwargs)

        strings._slice = _slice

    # `searchsorted` over StringDType arrays read the haystack's strings with the needles'
    # allocator in numpy 2.4.6: heap memory out of bounds (fixed upstream after 2.4.6).
    # Refused for StringDType haystacks and needle arrays; a program object can never turn
    # into a StringDType array by conversion (only an explicit `dtype="T"` makes one).
    original = numpy.ndarray.__dict__["searchsorted"]

    def searchsorted(self, v, side="left", sorter=None):
        if self.dtype.char == "T" or (isinstance(v, numpy.ndarray) and v.dtype.char == "T"):
            raise TypeError("searchsorted on StringDType arrays is not available in the "
                            "sandbox (numpy 2.4.6 reads out of bounds there)")
        return original(self, v, side, sorter)

    _set_type_attribute(numpy.ndarray, "searchsorted", searchsorted)


def _guard_numpy_scalars(numpy):
    """numpy 2.4.6's `byteswap()` of a structured (void) scalar copied nothing into the new
    scalar's fresh memory: whatever bytes were there became its fields, an object field's
    included (red-team round 22: any object forged from an address; fixed upstream after
    2.4.6, gh-32254). `numpy.generic.byteswap`, which every scalar type resolves, is replaced
    by one that swaps a void scalar through a 0-d array (which copies) and refuses one whose
    fields hold objects."""
    generic = numpy.generic
    original = generic.__dict__["byteswap"]
    void = numpy.void

    def byteswap(self, *args, **kwargs):
        if isinstance(self, void):
            if self.dtype.hasobject:
                raise TypeError("byteswap() of a scalar whose fields hold objects is not "
                                "available in the sandbox")
            return numpy.array(self).byteswap(*args, **kwargs)[()]
        return original(self, *args, **kwargs)

    _set_type_attribute(generic, "byteswap", byteswap)


def _guard_numpy_object_arrays(numpy):
    """numpy's loops over object arrays hold pointers into the array while they call the
    elements' methods (red-team round 21 turned `a.sort()` over the program's objects into
    the real builtins): object arrays hold only values whose methods are C code that runs
    none of the program's (api/src/object_array_guard.rs). The object dtype's `setitem`
    refuses other values; `frompyfunc`, which stores what a program function returns, is
    replaced wherever numpy holds it (`vectorize` calls it from its module) by one checking
    each result and the identity."""
    def probe():
        numpy.empty(1, dtype=object)[0] = None

    _guard_object_arrays(_sys.modules["numpy._core._multiarray_umath"]._ARRAY_API,
                         numpy.dtype(object), numpy.generic, numpy.void, probe)
    real = numpy.frompyfunc

    def frompyfunc(func, /, nin, nout, **kwargs):
        nout = _operator.index(nout)
        if "identity" in kwargs:
            kwargs["identity"] = _plain_value(kwargs["identity"])

        def checked(*args):
            result = func(*args)
            if nout == 1 or not isinstance(result, tuple):
                return _plain_value(result)
            # The items themselves (a program subclass's own `__iter__` is not asked).
            return tuple(_plain_value(item) for item in tuple.__iter__(result))

        name = getattr(func, "__name__", None)
        if type(name) is str:
            checked.__name__ = name
        return real(checked, nin, nout, **kwargs)

    frompyfunc.__doc__ = real.__doc__
    frompyfunc.__module__ = "numpy"
    for name, module in list(_sys.modules.items()):
        if (name == "numpy" or name.startswith("numpy.")) and module is not None:
            if getattr(module, "frompyfunc", None) is real:
                setattr(module, "frompyfunc", frompyfunc)


def _allow_numpy_object_types():
    """What numpy itself stores in object arrays beyond plain values: `numpy.ma` prints a
    masked array through an object array holding its `masked_print_option`. That one object
    only, by identity (an instance the program makes may hold the program's objects,
    red-team round 23), and made to behave as plain values do: nothing numpy's C code calls
    on it runs Python. Its `__str__`/`__repr__` were numpy.ma's Python
    (`str(self._display)`): a cast of an object array holding it (`s[idx] = vals` into a
    bytes array) ran bytecode per element, where the program's own object (set through
    `__init__`), another thread or a pending finalizer rewrote the index array numpy had
    already checked (red-team round 24, two full escapes). They are now C callables
    returning the display, and the display is only ever an exact `str` (`__init__` and
    `set_display` check it). Known difference: every instance of the class shows the
    option's display (numpy makes only the one)."""
    ma = _sys.modules.get("numpy.ma.core")
    if ma is None:
        return
    import functools
    option = ma.masked_print_option
    cls = type(option)
    original_init = cls.__dict__["__init__"]
    original_set = cls.__dict__["set_display"]

    def text(value):
        if type(value) is not str:
            raise TypeError("the masked print option's display must be a str in the sandbox")
        return value

    def show(value):
        # A partial of a C method: `str(option)` and `repr(option)` run no bytecode.
        shown = functools.partial(str.__str__, value)
        cls.__str__ = shown
        cls.__repr__ = shown

    def __init__(self, display):
        original_init(self, text(display))
        if self is option:
            show(display)

    def set_display(self, s):
        original_set(self, text(s))
        if self is option:
            show(s)

    for replacement, original in ((__init__, original_init), (set_display, original_set)):
        replacement.__doc__ = original.__doc__
        replacement.__qualname__ = original.__qualname__
        replacement.__module__ = original.__module__
    cls.__init__ = __init__
    cls.set_display = set_display
    show(text(option._display))
    _allow_in_object_arrays(option)


def _defer_collected_finalizers():
    """A collection starts at an allocation, and numpy's loops allocate while they hold
    pointers into object arrays: the finalizers it finds (a generator's `finally`, a
    `__del__`) run later, at the main thread's next bytecode boundary, not inside the loop
    (api/src/deferred_finalizers.rs). The callback marking a collection is a C function."""
    import gc
    _defer_finalizers()
    gc.callbacks.append(_gc_phase)


def _numpy_buffer_types(numpy):
    """numpy's arrays and scalars, with every subclass numpy made (the program may make none:
    see `refuse_c_bases`)."""
    found = []
    pending = [numpy.ndarray, numpy.generic]
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.append(cls)
            pending.extend(type.__subclasses__(cls))
    return found


def _refuse_unpickling():
    """A pickle names any function to call when it is loaded (`os.system`, `eval`), so no
    package may load one: `numpy.load(..., allow_pickle=True)`, an `NpzFile` whose
    `allow_pickle` the program set, `numpy.lib.format.read_array`. The program never holds
    `pickle`; packages reach it through `pickle.load`/`loads`/`Unpickler`, replaced here for
    the run (writing pickles stays possible)."""
    def refused(*args, **kwargs):
        raise _sys.modules["pickle"].UnpicklingError(
            "loading a pickle is not available in the sandbox: a pickle can call any "
            "function")
    for name in ("pickle", "_pickle"):
        module = _sys.modules.get(name)
        if module is None:
            continue
        for attribute in ("load", "loads", "Unpickler", "_load", "_loads", "_Unpickler"):
            if hasattr(module, attribute):
                setattr(module, attribute, refused)


def _text_codecs_only():
    """Packages open text files with `io.open`, which looks its codec up in CPython's
    registry; the sandbox starts with no search function there (the program's codecs are
    guarded apart, api/src/text_guards.rs). `encodings` registers CPython's search function:
    it is replaced by one that answers only the text codecs a program may name, each imported
    now, so `str(b, "rot13")` still finds nothing."""
    import codecs
    import encodings
    codecs.unregister(encodings.search_function)

    def search(name):
        canonical = _text_codec(name) or (name if name in TRUSTED_CODECS else None)
        return encodings.search_function(canonical) if canonical else None

    codecs.register(search)
    for name in ("utf_8", "ascii", "latin_1", "utf_16", "utf_16_le", "utf_16_be", "utf_32",
                 "utf_32_le", "utf_32_be") + TRUSTED_CODECS:
        codecs.lookup(name)


class _SelfChecked:
    """A Cython method of a package's C type, as its type's dict holds it once checked:
    Cython's functions read any object as an instance (red-team round 19:
    `numpy.random.Generator.random(b"...")` took a bytes object's data for the generator's
    function pointers). Bound through an instance it is the method itself; read through the
    class it is a function checking its first argument's type (`type()`, which no object
    can answer for itself). The program never holds this object (it would need the type's
    `__dict__`), only what `__get__` returns."""

    __slots__ = ("_function", "_owner", "_unbound")

    def __init__(self, function, owner):
        self._function = function
        self._owner = owner

        def checked(*args, **kwargs):
            if not args or not issubclass(type(args[0]), owner):
                raise TypeError(
                    f"{owner.__name__}.{getattr(function, '__name__', '?')} needs a "
                    f"{owner.__name__} instance as its first argument")
            return function(*args, **kwargs)

        self._unbound = _guard(checked)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self._unbound
        return _types.MethodType(self._function, instance)


def _check_cython_methods(package):
    """Replaces every Cython method in the dict of each type the package's modules define
    (see `_SelfChecked`)."""
    prefix = package + "."
    seen = set()
    for name, module in list(_sys.modules.items()):
        if module is None or not (name == package or name.startswith(prefix)):
            continue
        for value in list(vars(module).values()):
            if not isinstance(value, type) or value in seen:
                continue
            seen.add(value)
            owner_module = getattr(value, "__module__", "")
            if not (owner_module == package or owner_module.startswith(prefix)):
                continue
            for entry, method in list(vars(value).items()):
                if type(method).__name__ == "cython_function_or_method":
                    _set_type_attribute(value, entry, _SelfChecked(method, value))


def _exact_int(value, what, low, high):
    index = _operator.index(value)
    if not low <= index <= high:
        raise ValueError(f"{what} must be between {low} and {high}, not {index}")
    return int(index)


def _uint_array(numpy, value, length, dtype, what):
    array = numpy.array(value, dtype=dtype)
    if array.shape != (length,):
        raise ValueError(f"{what} must hold {length} values")
    return array


def _guard_numpy_random(numpy):
    """numpy.random's generators, checked (red-team round 20): `Generator` and `RandomState`
    took any object with a `capsule` attribute as their bit generator (a program object
    holding the capsule of a freed PCG64: a use-after-free giving any memory), and the
    `state` setters of MT19937 and Philox took positions outside their buffers. Their
    `__init__` now requires one of numpy's bit generators (a program class cannot derive
    from one), and those setters get a fresh dict of checked values: no program object
    reaches numpy's code there, so nothing can answer differently the second time."""
    random = _sys.modules.get("numpy.random")
    if random is None:
        return
    bit_generator = random.BitGenerator

    def generator_argument(args, kwargs):
        given = args[0] if args else kwargs.get("bit_generator")
        if not issubclass(type(given), bit_generator):
            raise TypeError("Generator needs one of numpy's bit generators (PCG64, "
                            "PCG64DXSM, MT19937, Philox, SFC64)")

    def random_state_argument(args, kwargs):
        given = args[0] if args else kwargs.get("seed")
        if given is None or issubclass(type(given), bit_generator):
            return
        if _is_program_class(type(given)):
            raise TypeError("RandomState takes a seed (an int or a sequence of ints) or one "
                            "of numpy's bit generators")

    for cls, check in ((random.Generator, generator_argument),
                       (random.RandomState, random_state_argument)):
        original = cls.__dict__["__init__"]

        def make(original, check):
            def __init__(self, *args, **kwargs):
                check(args, kwargs)
                original(self, *args, **kwargs)
            return __init__

        _set_type_attribute(cls, "__init__", make(original, check))

    def mt19937_state(value):
        inner = value["state"]
        return {"bit_generator": "MT19937",
                "state": {"key": _uint_array(numpy, inner["key"], 624, numpy.uint32, "key"),
                          "pos": _exact_int(inner["pos"], "pos", 0, 624)}}

    def philox_state(value):
        inner = value["state"]
        return {"bit_generator": "Philox",
                "state": {"counter": _uint_array(numpy, inner["counter"], 4, numpy.uint64,
                                                 "counter"),
                          "key": _uint_array(numpy, inner["key"], 2, numpy.uint64, "key")},
                "buffer": _uint_array(numpy, value["buffer"], 4, numpy.uint64, "buffer"),
                "buffer_pos": _exact_int(value["buffer_pos"], "buffer_pos", 0, 4),
                "has_uint32": _exact_int(value["has_uint32"], "has_uint32", 0, 1),
                "uinteger": _exact_int(value["uinteger"], "uinteger", 0, 2**32 - 1)}

    for cls, sanitise in ((random.MT19937, mt19937_state), (random.Philox, philox_state)):
        original = cls.__dict__["state"]

        def make(original, sanitise, name):
            def set_state(self, value):
                if type(value) is not dict:
                    raise TypeError("state must be a dict")
                if value.get("bit_generator") != name:
                    raise ValueError(f"state must be for a {name} PRNG")
                original.__set__(self, sanitise(value))
            return property(original.__get__, set_state, None, original.__doc__)

        _set_type_attribute(cls, "state", make(original, sanitise, cls.__name__))


def _is_public_dotted(name):
    return all(part and not part.startswith("_") for part in name.split("."))


def _declared_names(module):
    declared = getattr(module, "__all__", None)
    if isinstance(declared, (list, tuple)) and all(isinstance(n, str) for n in declared):
        names = set(declared)
    else:
        names = set(dir(module))
    # Submodules a package imports (or loads lazily through its `__getattr__`) are not in
    # its `__all__`; `dir` names them.
    listed = [n for n in dir(module) if isinstance(n, str)]
    names.update(n for n in listed if isinstance(module.__dict__.get(n), _types.ModuleType))
    if "__getattr__" in module.__dict__:
        # Names the module's `__getattr__` provides (numpy's lazily loaded submodules).
        names.update(n for n in listed if n not in module.__dict__)
    return sorted(n for n in names if not n.startswith("_"))


class _Builder:
    def __init__(self, package, words):
        self.package = package
        self.words = words
        self.proxies = {}

    def submodule_allowed(self, parent, name, value):
        dotted = value.__name__
        return (isinstance(dotted, str)
                and dotted.startswith(self.package + ".")
                and _is_public_dotted(dotted)
                and not set(dotted.split(".")) & REFUSED_SUBMODULE_NAMES
                and dotted not in REFUSED
                and f"{parent}.{name}" not in REFUSED)

    def proxy(self, module):
        name = module.__name__
        if name in self.proxies:
            return self.proxies[name]
        self.proxies[name] = None  # a cycle back here exports nothing
        exports = {}
        for export in _declared_names(module):
            if f"{name}.{export}" in REFUSED or export in REFUSED_SUBMODULE_NAMES:
                continue
            if export not in module.__dict__:
                # Provided by the module's `__getattr__`, which may import a submodule:
                # done only when the program's source names it (nothing can be imported
                # once confined, and an unused import costs the run's start).
                if export not in self.words:
                    continue
            try:
                value = getattr(module, export)
            except (AttributeError, ImportError):
                continue
            if isinstance(value, _types.ModuleType):
                if not self.submodule_allowed(name, export, value):
                    continue
                sub = self.proxy(value)
                if sub is not None:
                    exports[export] = sub
                continue
            if isinstance(value, _types.FunctionType):
                value = _guard(value)
            exports[export] = value
        doc = module.__doc__
        made = _proxy(name, exports, doc if isinstance(doc, str) else None)
        self.proxies[name] = made
        return made


def build(site_packages, names, words):
    """The proxies of the packages `names` lists, imported from `site_packages`, as a dict
    from dotted name to proxy. `words` holds the identifiers of the program's source: a
    submodule a package would load lazily is loaded (and exported) only when named there."""
    for name in KEPT_OUT:
        if name not in _sys.modules:
            _sys.modules[name] = None
    for variable in ONE_THREAD:
        _os.environ[variable] = "1"
    # The interpreter starts without `builtins.open` (CPython's main phase adds it; the
    # program's `open` is the sandbox's own, api/src/pyfile.rs). Packages read and write
    # files with it (`numpy.save`, `numpy.loadtxt`): bound for the run, Landlock keeps what
    # it opens inside the vessel.
    import builtins
    import io
    builtins.open = io.open
    saved_path = list(_sys.path)
    _sys.path.insert(0, site_packages)
    try:
        modules = [__import__(name) for name in names]
    finally:
        _sys.path[:] = saved_path
    for name, module in zip(names, modules):
        guard = C_GUARDS.get(name)
        if guard is not None:
            guard(module)
    for name in names:
        for lazy in LAZY_IMPORTS.get(name, ()):
            try:
                __import__(lazy)
            except ImportError:
                pass
    _text_codecs_only()
    _refuse_unpickling()
    _defer_collected_finalizers()
    proxies = {}
    for module in modules:
        builder = _Builder(module.__name__, words)
        builder.proxy(module)
        proxies.update((k, v) for k, v in builder.proxies.items() if v is not None)
    # After the proxies: building them imported the lazily loaded submodules named.
    for name in names:
        _check_cython_methods(name)
        after = AFTER_IMPORT_GUARDS.get(name)
        if after is not None:
            after(modules[names.index(name)])
    return proxies
