"""repy: run untrusted Python 3 programs in a sandbox, from Python.

``Sandbox`` runs programs on this machine with the ``repy`` binary this package ships;
``Client`` sends them to a ``repy serve`` service. Both offer the same methods::

    import repy

    box = repy.Sandbox(restrictions={"memory": "64 MB"}, profile="python", modules=["math"])
    done = box.eval("import math\\nprint(math.sqrt(2))", time_limit=2)
    done.returncode, done.stdout, done.report["verdict"]
    box.call("def add(a, b):\\n    return a + b\\n", "add", 2, 3)   # -> 5

Every run goes through the four walls of repy (the static checker, the capability namespace,
the resource nanny and kernel confinement); see docs/engine.md in repy's repository.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.error
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

__all__ = ["Sandbox", "Client", "SandboxError", "CompletedRun", "find_repy_bin"]

Restrictions = Union[str, "os.PathLike[str]", Mapping[str, Any], None]

#: The wall-clock limit, in seconds, of a run whose restrictions are a mapping without
#: ``wall-time`` and which gives no ``time_limit``: no run waits forever by default.
DEFAULT_TIME_LIMIT = 10.0


class SandboxError(Exception):
    """A call did not return a value: the program was refused, raised, or was killed.

    ``verdict`` is the run's verdict (``uncaught-exception``, ``wall-time-limit``,
    ``unsafe-code``, ...; docs/exit-codes.md), ``report`` the run report, ``stderr`` what the
    program (or the checker) wrote on standard error.
    """

    def __init__(self, message: str, verdict: str, report: Dict[str, Any], stderr: str = ""):
        super().__init__(message)
        self.verdict = verdict
        self.report = report
        self.stderr = stderr


class CompletedRun(subprocess.CompletedProcess):
    """A ``subprocess.CompletedProcess`` (``args``, ``returncode``, ``stdout``, ``stderr``)
    whose ``report`` holds the run report and ``verdict`` its verdict."""

    def __init__(self, args: Any, returncode: int, stdout: Any, stderr: Any,
                 report: Dict[str, Any], value: Any = None):
        super().__init__(args, returncode, stdout, stderr)
        self.report = report
        self.verdict: str = report.get("verdict", "") if isinstance(report, dict) else ""
        self.value = value


def find_repy_bin() -> str:
    """The ``repy`` binary: ``$REPY_BIN``, else the one installed with this package, else
    ``repy`` on ``PATH``."""
    explicit = os.environ.get("REPY_BIN")
    if explicit:
        return explicit
    name = "repy.exe" if sys.platform == "win32" else "repy"
    for scheme in (sysconfig.get_default_scheme(), "posix_user", "posix_prefix"):
        try:
            scripts = sysconfig.get_path("scripts", scheme)
        except KeyError:
            continue
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError("the repy binary was not found: install the repy package, "
                            "or set REPY_BIN")


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"a restrictions value must be a number, a string or a list, not "
                    f"{type(value).__name__}")


def _site_packages_of(packages: Sequence[str]) -> str:
    """The directory this interpreter imports ``packages`` from (one for all of them): the
    ``site-packages`` a policy names for them. The sandbox runs CPython 3.11, whose extension
    modules a package must have been installed with."""
    import importlib.util
    if sys.version_info[:2] != (3, 11):
        raise ValueError("repy runs CPython 3.11: pass site_packages= (a 3.11 environment's "
                         "site-packages holding the packages)")
    found = set()
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise ValueError(f"package {name!r} is not installed in this environment: "
                             "install it, or pass site_packages=")
        if spec.submodule_search_locations:
            found.add(os.path.dirname(list(spec.submodule_search_locations)[0]))
        elif spec.origin:
            found.add(os.path.dirname(spec.origin))
    if len(found) != 1:
        raise ValueError("the packages come from several directories: pass site_packages=")
    return found.pop()


def _policy_text(restrictions: Restrictions, profile: str, modules: Sequence[str],
                 time_limit: Optional[float], packages: Sequence[str] = (),
                 site_packages: Optional[str] = None) -> str:
    """The restrictions file's text for one run."""
    if isinstance(restrictions, os.PathLike):
        with open(restrictions, encoding="utf-8") as handle:
            text = handle.read()
    elif isinstance(restrictions, str):
        text = restrictions
    else:
        resources = dict(restrictions or {})
        if time_limit is not None:
            resources["wall-time"] = float(time_limit)
        resources.setdefault("wall-time", DEFAULT_TIME_LIMIT)
        lines = [f"profile = {_toml_string(profile)}", "", "[resources]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in resources.items()]
        if modules or packages:
            lines += ["", "[python]"]
        if modules:
            lines.append(f"modules = {_toml_value(list(modules))}")
        if packages:
            directory = site_packages or _site_packages_of(packages)
            lines.append(f"site-packages = {_toml_string(os.path.abspath(directory))}")
            lines.append(f"packages = {_toml_value(list(packages))}")
        return "\n".join(lines) + "\n"
    if time_limit is not None:
        # A file's own wall-time is replaced by the run's (a key given twice is an error).
        kept = [line for line in text.splitlines()
                if not line.strip().startswith(("wall-time", '"wall-time"'))]
        text = "\n".join(kept) + "\n"
        if "[resources]" not in text:
            raise ValueError("the restrictions have no [resources] table to put time_limit in")
        text = text.replace("[resources]", f"[resources]\nwall-time = {float(time_limit)!r}", 1)
    return text


def _output(outcome: Dict[str, Any], name: str, text: bool) -> Union[str, bytes]:
    encoded = outcome.get(f"{name}_base64")
    data = base64.b64decode(encoded) if encoded else (outcome.get(name) or "").encode()
    return data.decode("utf-8", errors="replace") if text else data


def _completed(args: Any, outcome: Dict[str, Any], text: bool) -> CompletedRun:
    return CompletedRun(args, int(outcome.get("exit_code", 125)), _output(outcome, "stdout", text),
                        _output(outcome, "stderr", text), outcome.get("report") or {},
                        outcome.get("value"))


def _value_of(outcome: Dict[str, Any], function: str) -> Any:
    verdict = outcome.get("verdict", "")
    if verdict == "finished":
        return outcome.get("value")
    report = outcome.get("report") or {}
    message = report.get("message") or verdict
    raise SandboxError(f"{function}() did not return: {verdict}: {message}", verdict, report,
                       str(_output(outcome, "stderr", True)))


class _Runner:
    """What Sandbox and Client share: building run requests and reading outcomes."""

    def __init__(self, restrictions: Restrictions = None, profile: str = "python",
                 modules: Sequence[str] = (), packages: Sequence[str] = (),
                 site_packages: Optional[str] = None):
        if profile not in ("python", "repyv2"):
            raise ValueError(f"unknown profile {profile!r}: use 'python' or 'repyv2'")
        self.restrictions = restrictions
        self.profile = profile
        self.modules = list(modules)
        self.packages = list(packages)
        self.site_packages = site_packages

    def _request(self, source: str, time_limit: Optional[float], **fields: Any) -> Dict[str, Any]:
        request = {"source": source,
                   "restrictions": _policy_text(self.restrictions, self.profile, self.modules,
                                                time_limit, self.packages, self.site_packages)}
        request.update({k: v for k, v in fields.items() if v is not None})
        return request

    def _outcome(self, request: Dict[str, Any]) -> Dict[str, Any]:
        raise NotImplementedError

    def eval(self, code: str, time_limit: Optional[float] = None, stdin: Optional[str] = None,
             text: bool = True) -> CompletedRun:
        """Runs ``code`` (a whole program) and returns how it ended. ``time_limit`` is its
        wall-clock limit in seconds; ``stdin`` what it reads (the python profile only)."""
        request = self._request(code, time_limit, mode="run", stdin=stdin)
        return _completed(["<eval>"], self._outcome(request), text)

    def execute_file(self, path: Union[str, "os.PathLike[str]"], time_limit: Optional[float] = None,
                     stdin: Optional[str] = None, args: Sequence[str] = (),
                     text: bool = True) -> CompletedRun:
        """Runs the program in the file at ``path`` with ``args`` (its ``callargs`` /
        ``sys.argv[1:]``) and returns how it ended."""
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        request = self._request(source, time_limit, mode="run", stdin=stdin,
                                argv=list(args) or None)
        return _completed([os.fspath(path), *args], self._outcome(request), text)

    def call(self, source: str, function: str, *args: Any, time_limit: Optional[float] = None,
             **kwargs: Any) -> Any:
        """Runs ``source``'s top level, calls ``function(*args, **kwargs)`` and returns its
        value (JSON-compatible values only, both ways). Raises ``SandboxError`` when the call
        does not return."""
        request = self._request(source, time_limit, mode="call", function=function,
                                args=list(args), kwargs=kwargs)
        return _value_of(self._outcome(request), function)


class Sandbox(_Runner):
    """Runs programs on this machine, each in a fresh sandbox made by the ``repy`` binary.

    ``restrictions`` is a mapping of resource limits (``{"memory": "64 MB", "cpu-time": 2}``,
    the keys of a restrictions file's ``[resources]``), the text of a restrictions file, or a
    path to one; ``profile``, ``modules`` and ``packages`` apply to a mapping (a file says
    its own). ``packages`` are trusted third-party packages (numpy) imported from
    ``site_packages``, by default the directory this interpreter imports them from (a
    CPython 3.11 environment's); see docs/packages.md in repy's repository for what covers
    them and what does not.
    """

    def __init__(self, restrictions: Restrictions = None, profile: str = "python",
                 modules: Sequence[str] = (), binary: Optional[str] = None,
                 packages: Sequence[str] = (), site_packages: Optional[str] = None):
        super().__init__(restrictions, profile, modules, packages, site_packages)
        self.binary = binary or find_repy_bin()

    def _outcome(self, request: Dict[str, Any]) -> Dict[str, Any]:
        document = dict(request, kind="run")
        argv = [self.binary, "job"]
        ceiling = None
        if self.packages:
            # `repy job` clamps a job to a ceiling, whose `site-packages` alone decides where
            # packages come from (a job may not choose it): here the caller is the operator,
            # so the run's own policy is the ceiling.
            import tempfile
            with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False,
                                             encoding="utf-8") as handle:
                handle.write(request["restrictions"])
                ceiling = handle.name
            argv += ["--policy", ceiling]
        try:
            done = subprocess.run(argv, input=json.dumps(document).encode(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        finally:
            if ceiling is not None:
                os.unlink(ceiling)
        try:
            result = json.loads(done.stdout.decode("utf-8", errors="replace"))
        except ValueError:
            raise RuntimeError(f"repy job failed ({done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()}") from None
        if "error" in result:
            raise ValueError(result["error"])
        return result["outcome"]


class Client(_Runner):
    """Sends programs to a ``repy serve`` service at ``url`` (``http://host:port``), with the
    bearer ``token`` when the service asks for one. The same methods as ``Sandbox``."""

    def __init__(self, url: str, token: Optional[str] = None, restrictions: Restrictions = None,
                 profile: str = "python", modules: Sequence[str] = (), timeout: float = 60.0):
        super().__init__(restrictions, profile, modules)
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _outcome(self, request: Dict[str, Any]) -> Dict[str, Any]:
        body = json.dumps(request).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        http = urllib.request.Request(f"{self.url}/v1/runs", data=body, headers=headers,
                                      method="POST")
        try:
            with urllib.request.urlopen(http, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", errors="replace")[:500]
            raise RuntimeError(f"repy serve answered {error.code}: {detail}") from None
