# A tiny command interpreter in the style of cmd.Cmd: each "do_<verb>" method handles a verb.

class Interpreter:
    prompt = "> "

    def __init__(self):
        self.vars = {}
        self.history = []

    def onecmd(self, line):
        verb, _, rest = line.strip().partition(" ")
        if not verb:
            return False
        self.history.append(verb)
        handler = getattr(self, "do_" + verb, None)
        if handler is None:
            print(f"*** unknown syntax: {line.strip()}")
            return False
        return handler(rest.strip())

    def do_set(self, arg):
        name, value = arg.split("=", 1)
        self.vars[name.strip()] = int(value)

    def do_add(self, arg):
        a, b = arg.split()
        print(self.value(a) + self.value(b))

    def do_mul(self, arg):
        result = 1
        for tok in arg.split():
            result *= self.value(tok)
        print(result)

    def do_show(self, arg):
        for name in sorted(self.vars):
            print(f"  {name} = {self.vars[name]}")

    def do_help(self, arg):
        verbs = sorted(name[3:] for name in ("do_set", "do_add", "do_mul", "do_show", "do_help", "do_quit"))
        print("commands:", ", ".join(verbs))

    def do_quit(self, arg):
        print("bye after", len(self.history), "commands")
        return True

    def value(self, token):
        if token.lstrip("-").isdigit():
            return int(token)
        return self.vars[token]


def main():
    interp = Interpreter()
    while True:
        try:
            line = input()
        except EOFError:
            break
        print(interp.prompt + line)
        try:
            if interp.onecmd(line):
                break
        except (KeyError, ValueError) as e:
            print(f"*** error: {e!r}")


if __name__ == "__main__":
    main()
