# Correct: every test passes.


def add(a, b):
    return a + b


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


if __name__ == "__main__":
    numbers = [int(word) for word in input().split()]
    print("sum", sum(numbers))
    print(f"mean {mean(numbers):.2f}")
