# Crashes: word_count forgets to start each count, and the main program parses the whole
# line as one number.


def add(a, b):
    return a + b


def mean(numbers):
    return sum(numbers) / len(numbers)


def word_count(text):
    counts = {}
    for word in text.split():
        counts[word] += 1
    return counts


def file_word_count(name):
    with open(name) as file:
        return len(file.read().split())


if __name__ == "__main__":
    total = int(input())
    print("sum", total)
    print(f"mean {total:.2f}")
