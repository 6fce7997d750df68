# A tiny shell whose commands are methods found by name: do_<command>, as cmd-style tools do.

class Shell:
    prompt = "> "

    def __init__(self):
        self.variables = {}
        self.history = []

    def run_line(self, line):
        parts = line.split()
        if not parts:
            return
        command, args = parts[0], parts[1:]
        handler = getattr(self, "do_" + command, None)
        if handler is None:
            print(f"unknown command: {command} (try help)")
            return
        self.history.append(command)
        handler(*args)

    def do_set(self, name, value):
        self.variables[name] = int(value)

    def do_add(self, name, amount):
        self.variables[name] = self.variables.get(name, 0) + int(amount)

    def do_show(self, *names):
        for name in names or sorted(self.variables):
            print(f"{name} = {self.variables.get(name, 'undefined')}")

    def do_help(self):
        commands = sorted(name[3:] for name in ("do_set", "do_add", "do_show", "do_help", "do_history"))
        print("commands:", ", ".join(commands))
        for c in ("set", "jump"):
            print(f"  has {c}: {hasattr(self, 'do_' + c)}")

    def do_history(self):
        print(" -> ".join(self.history))


def main():
    shell = Shell()
    while True:
        try:
            line = input()
        except EOFError:
            break
        print(shell.prompt + line)
        try:
            shell.run_line(line)
        except (TypeError, ValueError) as err:
            print("error:", type(err).__name__)
    print("bye")


main()
