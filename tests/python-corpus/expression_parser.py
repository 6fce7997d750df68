# A recursive-descent parser and evaluator for arithmetic with variables and functions.

class Token:
    def __init__(self, kind, text):
        self.kind = kind
        self.text = text

    def __repr__(self):
        return f"{self.kind}:{self.text}"


class ParseError(Exception):
    pass


def tokenize(source):
    tokens = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or ch == ".":
            j = i
            while j < len(source) and (source[j].isdigit() or source[j] == "."):
                j += 1
            tokens.append(Token("num", source[i:j]))
            i = j
        elif ch.isalpha():
            j = i
            while j < len(source) and source[j].isalnum():
                j += 1
            tokens.append(Token("name", source[i:j]))
            i = j
        elif ch in "+-*/^(),=":
            tokens.append(Token("op", ch))
            i += 1
        else:
            raise ParseError(f"unexpected character {ch!r} at {i}")
    tokens.append(Token("end", ""))
    return tokens


class Parser:
    FUNCTIONS = {"max": max, "min": min, "abs": abs, "sqrt": lambda x: x ** 0.5}

    def __init__(self, tokens, env):
        self.tokens = tokens
        self.pos = 0
        self.env = env

    def peek(self):
        return self.tokens[self.pos]

    def take(self, text=None):
        token = self.tokens[self.pos]
        if text is not None and token.text != text:
            raise ParseError(f"expected {text!r}, found {token.text or 'end'!r}")
        self.pos += 1
        return token

    def statement(self):
        if self.peek().kind == "name" and self.tokens[self.pos + 1].text == "=":
            name = self.take().text
            self.take("=")
            value = self.expression()
            self.env[name] = value
            return f"{name} = {value:g}"
        value = self.expression()
        self.take("")
        return f"{value:g}"

    def expression(self):
        value = self.term()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self):
        value = self.power()
        while self.peek().text in ("*", "/"):
            op = self.take().text
            right = self.power()
            value = value * right if op == "*" else value / right
        return value

    def power(self):
        base = self.unary()
        if self.peek().text == "^":
            self.take()
            return base ** self.power()
        return base

    def unary(self):
        if self.peek().text == "-":
            self.take()
            return -self.unary()
        return self.atom()

    def atom(self):
        token = self.take()
        match token.kind, token.text:
            case "num", text:
                return float(text)
            case "op", "(":
                value = self.expression()
                self.take(")")
                return value
            case "name", name if self.peek().text == "(":
                self.take("(")
                args = [self.expression()]
                while self.peek().text == ",":
                    self.take()
                    args.append(self.expression())
                self.take(")")
                if name not in self.FUNCTIONS:
                    raise ParseError(f"unknown function {name}")
                return self.FUNCTIONS[name](*args)
            case "name", name:
                if name not in self.env:
                    raise ParseError(f"undefined {name}")
                return self.env[name]
            case _:
                raise ParseError(f"unexpected {token.text or 'end'!r}")


def main():
    env = {"pi": 3.141592653589793}
    while True:
        try:
            line = input()
        except EOFError:
            break
        try:
            print(f"{line:<28} => {Parser(tokenize(line), env).statement()}")
        except ParseError as err:
            print(f"{line:<28} => parse error: {err}")
        except ZeroDivisionError:
            print(f"{line:<28} => division by zero")
    print("variables:", sorted(env))
    print(tokenize("max(1, x)"))


main()
