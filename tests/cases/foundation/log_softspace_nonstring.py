#! stdout = "x\n y\nz"
# A non-string item always sets the soft-space flag, even when its str() ends in a newline.
class Line:
    def __str__(self):
        return "x\n"
log(Line()); log("y\n"); log("z")
