# Reads beyond its input: it expects the count of numbers on a line of its own first, so it
# reads one line more than there is.


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
    count = len(input().split())
    numbers = [int(word) for word in input().split()][:count]
    print("sum", sum(numbers))
    print(f"mean {mean(numbers):.2f}")
