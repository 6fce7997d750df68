# Bank accounts driven by commands on stdin, with a custom exception hierarchy.

class BankError(Exception):
    pass


class InsufficientFunds(BankError):
    def __init__(self, account, amount):
        super().__init__(f"{account.owner} cannot withdraw {amount:.2f} (balance {account.balance:.2f})")
        self.shortfall = amount - account.balance


class UnknownAccount(BankError, KeyError):
    pass


class Account:
    next_number = 1000

    def __init__(self, owner, balance=0.0):
        self.owner = owner
        self.balance = balance
        self.number = Account.next_number
        Account.next_number += 1
        self.history = []

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.history.append(("deposit", amount))

    def withdraw(self, amount):
        if amount > self.balance:
            raise InsufficientFunds(self, amount)
        self.balance -= amount
        self.history.append(("withdraw", amount))

    def __str__(self):
        return f"#{self.number} {self.owner:<6} {self.balance:>9.2f}"


class SavingsAccount(Account):
    def __init__(self, owner, balance=0.0, rate=0.02):
        super().__init__(owner, balance)
        self.rate = rate

    def add_interest(self):
        interest = round(self.balance * self.rate, 2)
        self.deposit(interest)
        return interest

    def __str__(self):
        return super().__str__() + f" (savings {self.rate:.1%})"


class Bank:
    def __init__(self):
        self.accounts = {}

    def open(self, kind, owner, amount):
        cls = SavingsAccount if kind == "savings" else Account
        self.accounts[owner] = cls(owner, amount)

    def get(self, owner):
        try:
            return self.accounts[owner]
        except KeyError as err:
            raise UnknownAccount(owner) from err

    def transfer(self, src, dst, amount):
        a, b = self.get(src), self.get(dst)
        a.withdraw(amount)
        try:
            b.deposit(amount)
        except ValueError:
            a.deposit(amount)
            raise


def main():
    bank = Bank()
    processed = 0
    while True:
        try:
            words = input().split()
        except EOFError:
            break
        try:
            cmd = words[0]
            if cmd == "open":
                bank.open(words[1], words[2], float(words[3]))
            elif cmd == "deposit":
                bank.get(words[1]).deposit(float(words[2]))
            elif cmd == "withdraw":
                bank.get(words[1]).withdraw(float(words[2]))
            elif cmd == "transfer":
                bank.transfer(words[1], words[2], float(words[3]))
            elif cmd == "interest":
                for acc in bank.accounts.values():
                    if isinstance(acc, SavingsAccount):
                        print(f"interest for {acc.owner}: {acc.add_interest():.2f}")
            else:
                raise BankError(f"unknown command {cmd!r}")
        except InsufficientFunds as err:
            print("refused:", err, f"[short by {err.shortfall:.2f}]")
        except UnknownAccount as err:
            print("no such account:", err, "| cause:", type(err.__cause__).__name__)
        except (BankError, ValueError) as err:
            print(f"error ({type(err).__name__}):", err)
        finally:
            processed += 1
    print(f"processed {processed} commands")
    for acc in sorted(bank.accounts.values(), key=lambda a: -a.balance):
        print(acc, len(acc.history))


main()
