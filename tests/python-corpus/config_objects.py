# Builds settings objects from key=value lines, with defaults, type coercion and validation.

class Settings:
    defaults = {"host": "localhost", "port": 8080, "debug": False, "workers": 2, "name": "app"}

    def __init__(self, **overrides):
        for key, value in self.defaults.items():
            setattr(self, key, value)
        for key, value in overrides.items():
            if key not in self.defaults:
                raise KeyError(f"unknown setting {key!r}")
            setattr(self, key, self.coerce(key, value))

    @classmethod
    def coerce(cls, key, text):
        kind = type(cls.defaults[key])
        if kind is bool:
            return text.lower() in ("1", "true", "yes", "on")
        return kind(text)

    def changed(self):
        return {k: getattr(self, k) for k in self.defaults if getattr(self, k) != self.defaults[k]}

    def __repr__(self):
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.defaults)
        return f"Settings({inner})"


sections = {}
current = None
for raw in iter(input, "END"):
    line = raw.split("#", 1)[0].strip()
    if not line:
        continue
    if line.startswith("[") and line.endswith("]"):
        current = line[1:-1]
        sections[current] = {}
    elif "=" in line and current is not None:
        key, value = (part.strip() for part in line.split("=", 1))
        sections[current][key] = value
    else:
        print("ignored:", repr(raw))

for name, values in sections.items():
    try:
        s = Settings(**values)
    except (KeyError, ValueError) as e:
        print(f"[{name}] invalid: {e}")
        continue
    print(f"[{name}] {s}")
    print(f"    changed: {s.changed()}")
    print(f"    url: http://{s.host}:{s.port}/ debug={'on' if s.debug else 'off'} hasattr(workers)={hasattr(s, 'workers')}")
