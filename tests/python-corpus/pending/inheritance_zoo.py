# A small class hierarchy: inheritance, super(), class attributes, alternative constructors.

class Animal:
    registry = []
    sound = "..."

    def __init__(self, name, age):
        self.name = name
        self.age = age
        Animal.registry.append(self)

    @classmethod
    def from_line(cls, line):
        name, age = line.split(":")
        return cls(name.strip(), int(age))

    @staticmethod
    def is_adult(age):
        return age >= 3

    def speak(self):
        return f"{self.name} says {self.sound}"

    def describe(self):
        kind = type(self).__name__.lower()
        return f"{self.name} the {kind}, {self.age} year{'s' if self.age != 1 else ''} old"

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, age={self.age})"

    def __lt__(self, other):
        return (self.age, self.name) < (other.age, other.name)


class Dog(Animal):
    sound = "woof"

    def __init__(self, name, age, tricks=()):
        super().__init__(name, age)
        self.tricks = list(tricks)

    def speak(self):
        return super().speak() + "!" * (1 + len(self.tricks))


class Puppy(Dog):
    sound = "yip"

    def describe(self):
        return "a little " + super().describe()


class Cat(Animal):
    sound = "meow"

    def speak(self):
        base = super().speak()
        return base if self.age > 2 else base.upper()


class Parrot(Animal):
    def __init__(self, name, age, phrase):
        super().__init__(name, age)
        self.phrase = phrase

    @property
    def sound(self):
        return repr(self.phrase)


KINDS = {"dog": Dog, "puppy": Puppy, "cat": Cat}
for line in iter(input, "end"):
    kind, rest = line.split(" ", 1)
    if kind == "parrot":
        name, age, phrase = rest.split(",")
        Parrot(name, int(age), phrase.strip())
    else:
        KINDS[kind].from_line(rest)

Animal.registry[0].tricks.extend(["sit", "roll"])
for animal in sorted(Animal.registry):
    print(animal.describe(), "|", animal.speak(), "| adult:", Animal.is_adult(animal.age))
print(Animal.registry)
print(type(Animal.registry[0]))
print(isinstance(Animal.registry[1], Dog), issubclass(Puppy, Animal), issubclass(Cat, Dog))
print([cls.__name__ for cls in (Dog, Puppy, Cat, Parrot)], Puppy.sound, Animal.sound)
oldest = max(Animal.registry, key=lambda a: a.age)
print("oldest:", oldest.name, "attributes:", oldest.__dict__)
