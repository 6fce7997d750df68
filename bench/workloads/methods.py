# 500,000 method calls with attribute reads and writes on user objects.
class Account:
    def __init__(self, number):
        self.number = number
        self.balance = 0
        self.moves = 0

    def deposit(self, amount):
        self.balance = self.balance + amount
        self.moves = self.moves + 1
        return self.balance


def methods(n):
    accounts = [Account(k) for k in range(8)]
    last = 0
    for i in range(n):
        account = accounts[i & 7]
        last = account.deposit(i % 97 + account.number)
    return last, sum(a.balance for a in accounts), sum(a.moves for a in accounts)


print("checksum", methods(500000))
