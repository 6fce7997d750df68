# Exception control flow: else/finally ordering, chaining with `from`, implicit context,
# re-raising, custom hierarchies and cleanup in loops.

class AppError(Exception):
    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code

    def __str__(self):
        return f"[E{self.code:03d}] {self.args[0]}"


class ConfigError(AppError):
    pass


class ParseError(AppError):
    def __init__(self, line_no, text):
        super().__init__(f"line {line_no}: cannot parse {text!r}", code=20)
        self.line_no = line_no


trace = []


def parse_setting(line_no, line):
    try:
        key, value = line.split("=")
        key = key.strip()
        value = int(value)
    except ValueError as err:
        raise ParseError(line_no, line) from err
    else:
        trace.append(f"parsed {key}")
        return key, value
    finally:
        trace.append(f"finally {line_no}")


def load(lines):
    settings = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            key, value = parse_setting(n, line)
        except ParseError as err:
            print("warning:", err, "| cause:", repr(err.__cause__))
            continue
        if key in settings:
            raise ConfigError(f"duplicate key {key!r}", code=7)
        settings[key] = value
    return settings


def risky_division(settings):
    try:
        return settings["total"] / settings["count"]
    except ZeroDivisionError:
        try:
            return settings["fallback"]
        except KeyError:
            raise AppError("no fallback for division by zero", code=3)


def count_finally():
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            trace.append(f"body {i}")
        finally:
            trace.append(f"cleanup {i}")
    return "loop done"


def main():
    lines = []
    while True:
        try:
            lines.append(input())
        except EOFError:
            break
    settings = load(lines)
    print("settings:", settings)
    try:
        print("ratio:", risky_division(settings))
    except AppError as err:
        print("error:", err, "| code", err.code)
        print("context:", type(err.__context__).__name__, "| cause:", err.__cause__)
    print(count_finally())
    try:
        load(lines + ["total = 1"])
    except ConfigError as err:
        print("config error:", err, isinstance(err, AppError))
    try:
        try:
            raise KeyError("inner")
        except KeyError:
            raise
    except LookupError as err:
        print("re-raised:", repr(err))
    print("\n".join(trace))


main()
