# Prints how long after the supervisor opened the gate the program's first statement ran:
# getruntime() counts from that moment, so this is confinement + check + compile + the
# child's wake-up (bench/run, start-up anatomy).
print("FIRST-STATEMENT %.6f" % getruntime())
