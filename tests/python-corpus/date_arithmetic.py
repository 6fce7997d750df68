# Date arithmetic with datetime: ages, weekdays, deadlines, durations between timestamps.
from datetime import date, datetime, timedelta

today = date(2024, 3, 15)
for line in iter(input, ""):
    name, born = line.split()
    y, m, d = map(int, born.split("-"))
    birthday = date(y, m, d)
    age = today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))
    next_bd = birthday.replace(year=today.year)
    if next_bd < today:
        next_bd = next_bd.replace(year=today.year + 1)
    print(f"{name:<6} born {birthday:%A %d %B %Y}, age {age}, next birthday in {(next_bd - today).days} days")

start = datetime(2024, 3, 15, 9, 30)
deadline = start + timedelta(days=10, hours=5)
print("deadline:", deadline.isoformat(), deadline.strftime("%a %H:%M"))
shift = datetime.strptime("2024-03-15 22:15", "%Y-%m-%d %H:%M")
print("shift length:", shift - start, (shift - start).total_seconds() / 3600)
print("weekday of 2000-01-01:", date(2000, 1, 1).weekday(), date(2000, 1, 1).isoweekday())
print("leap day plus a year:", date(2024, 2, 29) + timedelta(days=365))
