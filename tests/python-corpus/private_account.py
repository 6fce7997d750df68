# Encapsulation with name-mangled private attributes, as taught in many OOP courses.

class Account:
    interest_rate = 0.01

    def __init__(self, owner, pin, balance=0):
        self.owner = owner
        self.__pin = pin
        self.__balance = balance
        self.__log = []

    def __check(self, pin):
        if pin != self.__pin:
            self.__log.append("bad pin")
            raise PermissionError("wrong PIN")

    def deposit(self, amount):
        self.__balance += amount
        self.__log.append(f"+{amount}")

    def withdraw(self, pin, amount):
        self.__check(pin)
        if amount > self.__balance:
            raise ValueError("insufficient funds")
        self.__balance -= amount
        self.__log.append(f"-{amount}")

    def balance(self, pin):
        self.__check(pin)
        return self.__balance

    def statement(self):
        return ", ".join(self.__log)


class PremiumAccount(Account):
    def __init__(self, owner, pin, balance=0, overdraft=100):
        super().__init__(owner, pin, balance)
        self.__overdraft = overdraft

    def limit(self):
        return self.__overdraft


def main():
    acct = PremiumAccount("kim", 1234, 50)
    for line in iter(lambda: input().strip(), "end"):
        op, *args = line.split()
        try:
            if op == "dep":
                acct.deposit(int(args[0]))
            elif op == "wd":
                acct.withdraw(int(args[0]), int(args[1]))
            elif op == "bal":
                print("balance:", acct.balance(int(args[0])))
        except (PermissionError, ValueError) as err:
            print(f"{op} failed: {err}")
    print("statement:", acct.statement())
    print("overdraft limit:", acct.limit())
    try:
        print(acct.__balance)
    except AttributeError:
        print("the balance is private")


main()
