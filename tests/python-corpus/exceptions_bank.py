# Custom exception hierarchy, chaining, else/finally, and error messages of builtin exceptions.

class LedgerError(Exception):
    """Base class for ledger problems."""


class InsufficientFunds(LedgerError):
    def __init__(self, account, needed):
        self.account = account
        self.needed = needed
        super().__init__(account, needed)

    def __str__(self):
        return f"account {self.account} is short by {self.needed:.2f}"


class UnknownAccount(LedgerError, KeyError):
    pass


class Ledger:
    def __init__(self):
        self.balances = {}
        self.log = []

    def open(self, name, amount):
        if name in self.balances:
            raise LedgerError(f"account {name} already exists")
        self.balances[name] = amount

    def withdraw(self, name, amount):
        try:
            balance = self.balances[name]
        except KeyError as e:
            raise UnknownAccount(name) from e
        if amount > balance:
            raise InsufficientFunds(name, amount - balance)
        self.balances[name] = balance - amount

    def transfer(self, src, dst, amount):
        try:
            self.withdraw(src, amount)
            if dst not in self.balances:
                raise UnknownAccount(dst)
        except UnknownAccount:
            self.log.append(f"rollback {src}->{dst}")
            if src in self.balances and dst not in self.balances:
                self.balances[src] += amount
            raise
        else:
            self.balances[dst] += amount
            self.log.append(f"moved {amount} {src}->{dst}")
        finally:
            self.log.append("transfer attempted")


ledger = Ledger()
for line in iter(input, ""):
    op, *args = line.split()
    try:
        if op == "open":
            ledger.open(args[0], float(args[1]))
        elif op == "withdraw":
            ledger.withdraw(args[0], float(args[1]))
        elif op == "transfer":
            ledger.transfer(args[0], args[1], float(args[2]))
        elif op == "divide":
            print(float(args[0]) / float(args[1]))
        elif op == "int":
            print(int(args[0]))
        elif op == "index":
            print([1, 2, 3][int(args[0])])
        else:
            raise NotImplementedError(op)
    except InsufficientFunds as e:
        print("insufficient:", e, "| args:", e.args)
    except UnknownAccount as e:
        print("unknown:", e, "| cause:", repr(e.__cause__), "| isinstance KeyError:", isinstance(e, KeyError))
    except LedgerError as e:
        print("ledger error:", e)
    except (ZeroDivisionError, ValueError, IndexError) as e:
        print(f"{type(e).__name__}: {e}")
    except Exception as e:
        print("other:", repr(e))
print(sorted(ledger.balances.items()))
print(ledger.log)
print(LedgerError.__doc__, InsufficientFunds.__name__, issubclass(UnknownAccount, LookupError))
