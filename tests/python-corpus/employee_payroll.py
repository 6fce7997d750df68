# Employees and managers: properties with validation, inheritance, sorting, a payroll report.

class Employee:
    raise_rate = 1.04
    headcount = 0

    def __init__(self, first, last, salary):
        self.first = first
        self.last = last
        self.salary = salary
        Employee.headcount += 1

    @property
    def salary(self):
        return self._salary

    @salary.setter
    def salary(self, value):
        if value < 0:
            raise ValueError("salary must be non-negative")
        self._salary = value

    @property
    def email(self):
        return f"{self.first}.{self.last}@example.com".lower()

    @property
    def fullname(self):
        return f"{self.first} {self.last}"

    @fullname.setter
    def fullname(self, name):
        self.first, self.last = name.split(" ")

    def apply_raise(self):
        self.salary = int(self.salary * self.raise_rate)

    def __str__(self):
        return "%s <%s> earns %d" % (self.fullname, self.email, self.salary)

    def __repr__(self):
        return "Employee(%r, %r, %r)" % (self.first, self.last, self.salary)

    def __lt__(self, other):
        return self.salary < other.salary

    def __eq__(self, other):
        return self.email == other.email

    def __hash__(self):
        return hash(self.email)


class Manager(Employee):
    raise_rate = 1.10

    def __init__(self, first, last, salary, reports=None):
        super().__init__(first, last, salary)
        self.reports = reports if reports is not None else []

    def add(self, employee):
        if employee not in self.reports:
            self.reports.append(employee)

    def __str__(self):
        return super().__str__() + " and manages " + (", ".join(e.first for e in self.reports) or "nobody")


staff = {}
for line in iter(input, ""):
    kind, first, last, salary, *boss = line.split()
    cls = Manager if kind == "M" else Employee
    person = cls(first, last, int(salary))
    staff[first] = person
    if boss:
        staff[boss[0]].add(person)
for p in sorted(staff.values(), reverse=True):
    print(p)
for p in staff.values():
    p.apply_raise()
print("after raises:", [repr(p) for p in sorted(staff.values())])
total = sum(p.salary for p in staff.values())
print("payroll: {:,} over {} people (headcount {})".format(total, len(staff), Employee.headcount))
try:
    staff["Ann"].salary = -5
except ValueError as e:
    print("rejected:", e)
staff["Ann"].fullname = "Annie Hall"
print(staff["Ann"].email, staff["Ann"] == Employee("annie", "hall", 1), len({*staff.values()}))
