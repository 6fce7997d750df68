# Allocates 1 MB strings and keeps them until the nanny kills the program (nanny accuracy:
# how far memory gets past the limit). callargs[0] is the pause after each megabyte, in
# seconds (0 for as fast as possible).
def hog(pause):
    kept = []
    while True:
        kept.append("x" * 1000000)
        if pause > 0:
            sleep(pause)


hog(float(callargs[0]))
