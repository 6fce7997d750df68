# A traffic-light state machine using enum.Enum, driven by timer ticks from stdin.
from enum import Enum, auto


class Light(Enum):
    RED = auto()
    GREEN = auto()
    YELLOW = auto()

    def next(self):
        order = list(Light)
        return order[(order.index(self) + 1) % len(order)]


DURATION = {Light.RED: 4, Light.GREEN: 3, Light.YELLOW: 1}


class Intersection:
    def __init__(self):
        self.state = Light.RED
        self.elapsed = 0
        self.changes = []

    def tick(self, seconds):
        for _ in range(seconds):
            self.elapsed += 1
            if self.elapsed >= DURATION[self.state]:
                self.changes.append((self.state.name, self.state.next().name))
                self.state = self.state.next()
                self.elapsed = 0


crossing = Intersection()
for line in iter(input, ""):
    crossing.tick(int(line))
    print(f"after {line:>2}s: {crossing.state} ({crossing.state.name}, value {crossing.state.value})")
print("changes:", len(crossing.changes), crossing.changes[:3])
print([light.name for light in Light], Light(2), Light["YELLOW"], Light.RED is Light.RED)
