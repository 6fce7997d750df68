#! stdout = "done\n"
# Upstream: ut_repyv2api_virtualnamespacecontextsafety. evaluate refuses a context whose
# keys are not safe names: a non-str key (upstream's case) and, beyond it, a key with __.
vn = createvirtualnamespace("", "Bad VN")
for bad_context in [{123: 456}, {"__import__": 1}, {"f_globals": 1}]:
    try:
        vn.evaluate(bad_context)
    except ContextUnsafeError:
        pass
    else:
        log("evaluated with the unsafe context", bad_context, "\n")
log("done\n")
