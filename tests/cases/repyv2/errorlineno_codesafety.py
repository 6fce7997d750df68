#! exit = 5
#! stderr-contains = ["program.py:15:1: R301", "none of it ran"]
#! stdout = ""
# Upstream: ut_errorlineno_codesafety. A code-safety violation is reported with the line
# it is on (line numbers are not shifted by any header the sandbox adds), and none of the
# program runs (exit 5, RepyV2's code for unsafe code).
# Deliberate difference (docs/repyv2-compat.md): RepyV2 printed the safety failure on stdout ("Specified repy program is
# unsafe!"); repy prints its diagnostics on stderr (src/child.rs). The report and exit code
# are otherwise equivalent, so the case expects stderr.
log("this must not be printed\n")

"""A docstring spanning lines,
so that the import below sits on line 15."""

import socket
