# A vending machine state machine; commands matched with literal, sequence and guard patterns.

PRODUCTS = {"A1": ("cola", 150), "A2": ("water", 100), "B1": ("chips", 120), "B2": ("candy", 85)}
COINS = (5, 10, 20, 50, 100, 200)


class VendingError(Exception):
    pass


class Machine:
    def __init__(self):
        self.state = "idle"
        self.credit = 0
        self.stock = {code: 2 for code in PRODUCTS}
        self.bank = 0

    def handle(self, command):
        match command.split():
            case ["coin", amount] if int(amount) in COINS:
                self.credit += int(amount)
                self.state = "paying"
                return f"credit {self.credit}"
            case ["coin", amount]:
                raise VendingError(f"rejected coin {amount}")
            case ["select", code] if code not in PRODUCTS:
                raise VendingError(f"no product {code}")
            case ["select", code]:
                name, price = PRODUCTS[code]
                if self.stock[code] == 0:
                    raise VendingError(f"{name} sold out")
                if self.credit < price:
                    raise VendingError(f"{name} costs {price}, credit {self.credit}")
                self.stock[code] -= 1
                self.bank += price
                change = self.credit - price
                self.credit = 0
                self.state = "idle"
                return f"vend {name}, change {make_change(change)}"
            case ["refund"] | ["cancel"]:
                refund, self.credit, self.state = self.credit, 0, "idle"
                return f"refund {make_change(refund)}"
            case ["status"]:
                stock = " ".join(f"{c}:{n}" for c, n in sorted(self.stock.items()))
                return f"{self.state} credit={self.credit} bank={self.bank} {stock}"
            case []:
                return "..."
            case [other, *_]:
                raise VendingError(f"unknown command {other!r}")


def make_change(amount):
    coins = []
    for coin in sorted(COINS, reverse=True):
        while amount >= coin:
            coins.append(coin)
            amount -= coin
    return coins


def main():
    machine = Machine()
    while True:
        try:
            command = input()
        except EOFError:
            break
        try:
            print(f"{command:<12} -> {machine.handle(command)}")
        except VendingError as err:
            print(f"{command:<12} !! {err}")
    print("final:", machine.handle("status"))


main()
