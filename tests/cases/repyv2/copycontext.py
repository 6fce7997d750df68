#! stdout = "done\n"
# Upstream: ut_repyv2api_copycontext. Copying _context (the program's own namespace,
# which contains itself) and taking repr of both must terminate: the self-reference is
# remapped to the copy and shown as {...}.
context_copy = _context.copy()
text = repr(_context)
copy_text = repr(context_copy)
if "{...}" not in copy_text:
    log("the copy's self-reference is not shown as {...}\n")
if context_copy["_context"] is not context_copy:
    log("the copy's _context entry should refer to the copy itself\n")
log("done\n")
