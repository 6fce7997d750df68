# Refused by the checker: it reaches for the operating system and for eval.
import os


def add(a, b):
    return eval(f"{a} + {b}")


def mean(numbers):
    return sum(numbers) / len(numbers)


def word_count(text):
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts


def file_word_count(name):
    return int(os.popen(f"wc -w < {name}").read())


if __name__ == "__main__":
    numbers = [int(word) for word in input().split()]
    print("sum", sum(numbers))
    print(f"mean {mean(numbers):.2f}")
