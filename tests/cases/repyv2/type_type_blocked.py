#! exit = 6
#! stderr-contains = ["Uncaught exception!", "type() in the sandbox takes exactly one argument"]
# Upstream: ut_repyv2api_typetypeisblocked (expects the program to fail). The real `type`
# must stay out of reach. As in RepyV2 (safe.py's safe_type since repy_v1#128), type() of a
# class returns the sandbox's one-argument wrapper itself rather than raising, so upstream's
# single line no longer fails by itself in RepyV2 either; the adapted test checks the point
# of it: what comes back is the one-argument wrapper, so using it to build a class (the
# three-argument form) raises, which ends the program uncaught. (repy's checker refuses
# naming `type` other than in a call, rule R402, so the wrapper cannot be compared by name.)
X = type(type(0))
if X(5) is not int:
    log("what type(type(0)) returned does not behave as type()\n")
X("Escape", (object,), {})
