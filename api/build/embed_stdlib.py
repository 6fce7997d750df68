# Build-time step (run by api/build.rs with the interpreter repy links, `-I -S`): finds every
# standard-library module the trusted builder `src/modules/stdlib.py` imports, directly or
# through other modules, and writes what the sandbox child needs to import them without the
# path-based importer: each source module compiled to a marshalled code object, and each
# extension module's file. See `api/src/embedded.rs`.
#
#   embed_stdlib.py BUILDER OUT_DIR
#
# Writes OUT_DIR/embedded/<name>.marshal and OUT_DIR/embedded/manifest.tsv, one line per
# module: name, kind (`source`, `extension`, or `absent`: imported, but found by no
# importer), `package` or `module`, and the module's file.
# A module the builder names that cannot be imported here is a build error.

import ast
import marshal
import os
import sys

builder_path, out_dir = sys.argv[1:]

with open(builder_path, encoding="utf-8") as handle:
    tree = ast.parse(handle.read(), builder_path)

# The modules the builder imports: its `import` statements, the keys of its BUILDERS table
# (the shipped modules, imported by name), and the names it hands `__import__`/`_plain`.
wanted = set()
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        wanted.update(alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        wanted.add(node.module)
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
          and node.func.id in ("__import__", "_plain") and node.args
          and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        wanted.add(node.args[0].value)
    elif (isinstance(node, ast.Assign) and len(node.targets) == 1
          and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "BUILDERS"
          and isinstance(node.value, ast.Dict)):
        wanted.update(key.value for key in node.value.keys if isinstance(key, ast.Constant))


class RecordAbsent:
    """The last finder: records the modules no importer found (optional imports that fail
    here and will fail in the sandbox too)."""
    absent = set()

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        cls.absent.add(name)
        return None


# Beside the builder's: `unicodedata`, which CPython's parser imports for a `"\N{...}"`
# escape (api::modules::prepare_parser_names).
wanted.add("unicodedata")

sys.meta_path.append(RecordAbsent)
for name in sorted(wanted):
    __import__(name)
sys.meta_path.remove(RecordAbsent)

stdlib = os.path.dirname(os.__file__) + os.sep
target = os.path.join(out_dir, "embedded")
os.makedirs(target, exist_ok=True)
lines = []
for name, module in sorted(sys.modules.items()):
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    # Only files of the standard library: built-in and frozen modules have their own
    # importers in every start. (`encodings`, which this interpreter's start imported, is
    # kept: `locale` imports it, and then it registers its codec search function as it
    # would from its file.)
    if not isinstance(origin, str) or not origin.startswith(stdlib):
        continue
    package = "package" if spec.submodule_search_locations is not None else "module"
    if origin.endswith(".py"):
        with open(origin, "rb") as handle:
            code = compile(handle.read(), origin, "exec", dont_inherit=True)
        with open(os.path.join(target, name + ".marshal"), "wb") as handle:
            handle.write(marshal.dumps(code))
        lines.append(f"{name}\tsource\t{package}\t{origin}")
    else:
        lines.append(f"{name}\textension\t{package}\t{origin}")

# Known to be absent: the sandbox's importer answers them at once instead of installing the
# path-based importer to search for them.
for name in sorted(RecordAbsent.absent - set(sys.modules)):
    lines.append(f"{name}\tabsent\tmodule\t")

with open(os.path.join(target, "manifest.tsv"), "w", encoding="utf-8") as handle:
    handle.write("\n".join(lines) + "\n")
