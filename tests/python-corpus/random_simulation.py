# Seeded simulations with random: dice, a random walk, shuffling a deck, Monte Carlo pi.
import random

seed = int(input())
random.seed(seed)

rolls = [random.randint(1, 6) for _ in range(20)]
print("rolls:", rolls)
freq = {face: rolls.count(face) for face in range(1, 7)}
print("frequencies:", freq)

position = 0
path = [position]
for _ in range(15):
    position += random.choice((-1, 1))
    path.append(position)
print("walk:", path, "max distance:", max(map(abs, path)))

suits = "SHDC"
ranks = "A23456789TJQK"
deck = [r + s for s in suits for r in ranks]
random.shuffle(deck)
hands = [deck[i * 5:(i + 1) * 5] for i in range(4)]
for i, hand in enumerate(hands, 1):
    print(f"hand {i}: {' '.join(hand)}")
print("sample:", random.sample(range(100), 5), "choices:", random.choices("abc", weights=[5, 1, 1], k=8))
inside = 0
trials = int(input())
for _ in range(trials):
    x, y = random.random(), random.random()
    if x * x + y * y <= 1:
        inside += 1
print(f"pi is about {4 * inside / trials:.4f}")
print("uniform:", round(random.uniform(10, 20), 6), "gauss:", round(random.gauss(0, 1), 6), "randrange:", random.randrange(0, 100, 5))
rng = random.Random(2024)
print("own generator:", [rng.randint(0, 9) for _ in range(10)], rng.random())
state = random.getstate()
a = random.random()
random.setstate(state)
print("replayed:", a == random.random(), "bits:", random.getrandbits(16))
