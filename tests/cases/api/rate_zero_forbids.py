#! restrictions = "lograte-zero.toml"
#! exit = 6
#! stdout = ""
#! stderr-contains = ["forbidden as expected"]
# A rate of 0 forbids the resource: log raises ResourceForbiddenError before writing anything
# (RepyV2 ended the sandbox with an internal error instead).
try:
    log("must not appear")
except ResourceForbiddenError:
    raise ValueError("forbidden as expected")
