# Form letters with string.Template and character classes from the string module.
import string
from string import Template

letter = Template("Dear $name,\nyour order #$order of ${qty} item(s) ships on $day.\n-- $$hop team")
for line in iter(input, ""):
    name, order, qty, day = line.split(";")
    print(letter.substitute(name=string.capwords(name), order=order, qty=qty, day=day))
    print()
partial = Template("$greeting, $who!")
print(partial.safe_substitute(greeting="Hello"))
try:
    partial.substitute(greeting="Hi")
except KeyError as e:
    print("missing key:", e)
password = input()
checks = {
    "lower": any(c in string.ascii_lowercase for c in password),
    "upper": any(c in string.ascii_uppercase for c in password),
    "digit": any(c in string.digits for c in password),
    "punct": any(c in string.punctuation for c in password),
}
print("password checks:", checks, "strong:", all(checks.values()) and len(password) >= 8)
shift = 3
table = str.maketrans(string.ascii_lowercase, string.ascii_lowercase[shift:] + string.ascii_lowercase[:shift])
print("rot3:", password.lower().translate(table))
print(len(string.printable), repr(string.whitespace), string.hexdigits, string.octdigits)
print(string.capwords("  the   old man and  the sea "), string.capwords("a-b-c", "-"))
