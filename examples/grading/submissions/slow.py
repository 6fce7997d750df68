# Too slow: the sum is computed by counting up one at a time, which takes far longer than
# the time limit for large inputs.


def add(a, b):
    total = a
    step = 1 if b >= 0 else -1
    for _ in range(abs(b)):
        total += step
    return total


def mean(numbers):
    return sum(numbers) / len(numbers)


def word_count(text):
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts


def file_word_count(name):
    with open(name) as file:
        return len(file.read().split())


def slow_sum(numbers):
    # Every pair of numbers, every time: cubic in the length of the input.
    total = 0
    for i in range(len(numbers)):
        for j in range(len(numbers)):
            for k in range(len(numbers)):
                if j == 0 and k == 0:
                    total += numbers[i]
    return total


if __name__ == "__main__":
    numbers = [int(word) for word in input().split()]
    print("sum", slow_sum(numbers))
    print(f"mean {mean(numbers):.2f}")
