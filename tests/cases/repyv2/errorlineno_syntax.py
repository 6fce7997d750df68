#! exit = 5
#! stderr-contains = ["program.py:8:", "E001"]
#! stdout = ""
# Upstream: ut_errorlineno_syntax. A syntax error is reported with its own line number.
# Deliberate difference (docs/repyv2-compat.md): RepyV2 printed it on stdout; repy prints checker diagnostics on stderr
# (src/child.rs), with the same exit code 5.
# syntax error on the next line
This is not a valid line of Repy.
