# A supermarket checkout simulation driven by a seeded linear congruential generator.

class LCG:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (1103515245 * self.state + 12345) % 2 ** 31
        return self.state

    def uniform(self):
        return self.next() / 2 ** 31

    def randint(self, low, high):
        return low + self.next() % (high - low + 1)


class Customer:
    count = 0

    def __init__(self, arrival, items):
        Customer.count += 1
        self.id = Customer.count
        self.arrival = arrival
        self.items = items
        self.start = None

    def __repr__(self):
        return f"C{self.id}"


class Queue:
    def __init__(self):
        self.items = []
        self.front = 0

    def enqueue(self, x):
        self.items.append(x)

    def dequeue(self):
        x = self.items[self.front]
        self.front += 1
        return x

    def __len__(self):
        return len(self.items) - self.front


def simulate(seed, minutes, tills, arrival_chance):
    rng = LCG(seed)
    queue = Queue()
    busy_until = [0] * tills
    served = []
    longest = 0
    for t in range(minutes):
        if rng.uniform() < arrival_chance:
            queue.enqueue(Customer(t, rng.randint(1, 30)))
        for i in range(tills):
            if busy_until[i] <= t and len(queue):
                c = queue.dequeue()
                c.start = t
                busy_until[i] = t + 1 + c.items // 6
                served.append(c)
        longest = max(longest, len(queue))
    waits = [c.start - c.arrival for c in served]
    return served, waits, longest, len(queue)


def main():
    seed, minutes = map(int, input().split())
    print(f"{'tills':>5} {'served':>6} {'avg wait':>8} {'max wait':>8} {'longest':>7} {'left':>4}")
    for tills in range(1, 5):
        Customer.count = 0
        served, waits, longest, left = simulate(seed, minutes, tills, 0.6)
        avg = sum(waits) / len(waits) if waits else 0
        print(f"{tills:>5} {len(served):>6} {avg:>8.2f} {max(waits, default=0):>8} {longest:>7} {left:>4}")
    Customer.count = 0
    served, waits, _, _ = simulate(seed, 20, 2, 0.6)
    print("first customers:", served[:8], "waits:", waits[:8])


main()
