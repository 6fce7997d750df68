# The python profile's importer of the standard library (see api/src/embedded.rs): a finder
# for the modules embedded in the binary at build time, placed after CPython's built-in and
# frozen importers, and CPython's path-based importer installed only when it is needed.
#
# Trusted code, run once in the sandbox child before confinement. Names the Rust side
# provides in this file's globals:
#   _embedded_module(name)       None (not embedded), False (known to be absent: the build
#                                saw no importer find it), or (code object or None for an
#                                extension module, is a package, file name)
#   _install_path_importers()    installs CPython's path-based importer (what CPython's
#                                main phase does), idempotent

import sys
import _imp

_bootstrap = sys.modules["_frozen_importlib"]


class EmbeddedLoader:
    """Creates and runs an embedded module: an extension module from its file, a source
    module by running its embedded code in the module's namespace."""

    @staticmethod
    def create_module(spec):
        if spec.loader_state is None:
            return _imp.create_dynamic(spec)
        return None

    @staticmethod
    def exec_module(module):
        spec = module.__spec__
        if spec.loader_state is None:
            _imp.exec_dynamic(module)
            return
        # `__file__` by hand: a spec `has_location` would compute `__cached__` through the
        # path-based importer's module, which is not installed.
        module.__file__ = spec.origin
        exec(spec.loader_state, module.__dict__)


class EmbeddedFinder:
    """Finds the modules embedded in the binary."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        found = _embedded_module(name)
        if not found:
            return None
        code, package, origin = found
        spec = _bootstrap.ModuleSpec(name, EmbeddedLoader, origin=origin, loader_state=code,
                                     is_package=package)
        if package:
            spec.submodule_search_locations = [origin.rpartition("/")[0]]
        return spec

    @staticmethod
    def invalidate_caches():
        pass


class PathImporterOnFirstMiss:
    """The last finder: a module neither built in, frozen nor embedded (one the build did not
    see imported) installs CPython's path-based importer and asks it, once."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if _embedded_module(name) is False:
            return None
        if cls in sys.meta_path:
            sys.meta_path.remove(cls)
        _install_path_importers()
        return sys.modules["_frozen_importlib_external"].PathFinder.find_spec(name, path, target)


def build(with_path_importers):
    """Installs the finders; CPython's path-based importer at once when
    `with_path_importers` (a policy's packages are imported from files)."""
    sys.meta_path.append(EmbeddedFinder)
    if with_path_importers:
        _install_path_importers()
    else:
        sys.meta_path.append(PathImporterOnFirstMiss)
