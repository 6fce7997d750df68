#! exit = 6
#! stderr-contains = ["Exception (with class 'SystemExit'): 200"]
#! stdout-lacks = ["after"]
# Raising SystemExit(200) must not end the run as `exitall` (200) or any code the program
# picks: it is an uncaught exception like any other (exit 6).
raise SystemExit(200)
log("after")
