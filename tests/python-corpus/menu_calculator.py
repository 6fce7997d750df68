# A menu-driven calculator of the kind taught in a first programming course.

def show_menu():
    print("1) add  2) subtract  3) multiply  4) divide  5) power  6) history  0) quit")


def ask_number(prompt):
    while True:
        text = input(prompt)
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            print(f"'{text}' is not a number, try again")


history = []
operations = {
    "1": ("+", lambda a, b: a + b),
    "2": ("-", lambda a, b: a - b),
    "3": ("*", lambda a, b: a * b),
    "4": ("/", lambda a, b: a / b),
    "5": ("**", lambda a, b: a ** b),
}

print("Welcome to the calculator!")
while True:
    show_menu()
    choice = input("Choice: ").strip()
    if choice == "0":
        print("Goodbye! You did %d calculation%s." % (len(history), "" if len(history) == 1 else "s"))
        raise SystemExit
    if choice == "6":
        for i, entry in enumerate(history, 1):
            print(f"  {i}. {entry}")
        continue
    if choice not in operations:
        print("Invalid choice!")
        continue
    symbol, func = operations[choice]
    a = ask_number("First number: ")
    b = ask_number("Second number: ")
    try:
        result = func(a, b)
    except ZeroDivisionError:
        print("Error: cannot divide by zero")
        continue
    entry = f"{a} {symbol} {b} = {result}"
    history.append(entry)
    print(entry)
print("never reached")
