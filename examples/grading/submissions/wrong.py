# Wrong answers: the mean is printed with one decimal, word_count ignores repeated words and
# add subtracts.


def add(a, b):
    return a - b


def mean(numbers):
    return sum(numbers) / len(numbers)


def word_count(text):
    return {word: 1 for word in text.split()}


def file_word_count(name):
    with open(name) as file:
        return len(file.read().split())


if __name__ == "__main__":
    numbers = [int(word) for word in input().split()]
    print("sum", sum(numbers))
    print(f"mean {mean(numbers):.1f}")
