# Date arithmetic without modules: leap years, day of week, day numbers and a month calendar.

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]


def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def day_number(year, month, day):
    """Days since 0001-01-01 (day 0)."""
    y = year - 1
    days = y * 365 + y // 4 - y // 100 + y // 400
    days += sum(days_in_month(year, m) for m in range(1, month))
    return days + day - 1


def weekday(year, month, day):
    return day_number(year, month, day) % 7


class Date:
    def __init__(self, year, month, day):
        if not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
            raise ValueError(f"invalid date {year:04d}-{month:02d}-{day:02d}")
        self.year, self.month, self.day = year, month, day

    @classmethod
    def parse(cls, text):
        return cls(*(int(part) for part in text.split("-")))

    def ordinal(self):
        return day_number(self.year, self.month, self.day)

    def __sub__(self, other):
        return self.ordinal() - other.ordinal()

    def __lt__(self, other):
        return self.ordinal() < other.ordinal()

    def __str__(self):
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def print_month(year, month):
    print(f"{MONTH_NAMES[month - 1]} {year}".center(20))
    print("Mo Tu We Th Fr Sa Su")
    first = weekday(year, month, 1)
    cells = ["  "] * first + [f"{d:2d}" for d in range(1, days_in_month(year, month) + 1)]
    for i in range(0, len(cells), 7):
        print(" ".join(cells[i:i + 7]))


def main():
    dates = []
    while True:
        try:
            text = input().strip()
        except EOFError:
            break
        try:
            d = Date.parse(text)
        except ValueError as err:
            print("skip:", err)
            continue
        dates.append(d)
        print(f"{d} is a {DAYS[weekday(d.year, d.month, d.day)]}, day {d.ordinal()}")
    dates.sort()
    for a, b in zip(dates, dates[1:]):
        print(f"{a} -> {b}: {b - a} days")
    print("leap years 1896-1912:", [y for y in range(1896, 1913) if is_leap(y)])
    print_month(dates[0].year, dates[0].month)


main()
