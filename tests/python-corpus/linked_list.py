# A singly linked list with the sequence protocol, read from standard input commands.

class Node:
    def __init__(self, value, next_node=None):
        self.value = value
        self.next = next_node


class LinkedList:
    def __init__(self, items=()):
        self.head = None
        self.size = 0
        for item in items:
            self.append(item)

    def append(self, value):
        node = Node(value)
        if self.head is None:
            self.head = node
        else:
            cur = self.head
            while cur.next is not None:
                cur = cur.next
            cur.next = node
        self.size += 1

    def push(self, value):
        self.head = Node(value, self.head)
        self.size += 1

    def pop(self):
        if self.head is None:
            raise IndexError("pop from empty list")
        value = self.head.value
        self.head = self.head.next
        self.size -= 1
        return value

    def remove(self, value):
        prev, cur = None, self.head
        while cur is not None:
            if cur.value == value:
                if prev is None:
                    self.head = cur.next
                else:
                    prev.next = cur.next
                self.size -= 1
                return True
            prev, cur = cur, cur.next
        return False

    def reverse(self):
        prev = None
        cur = self.head
        while cur:
            cur.next, prev, cur = prev, cur, cur.next
        self.head = prev

    def __iter__(self):
        cur = self.head
        while cur is not None:
            yield cur.value
            cur = cur.next

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if index < 0:
            index += self.size
        for i, value in enumerate(self):
            if i == index:
                return value
        raise IndexError("list index out of range")

    def __contains__(self, value):
        return any(v == value for v in self)

    def __repr__(self):
        return "LinkedList([" + ", ".join(repr(v) for v in self) + "])"


def main():
    lst = LinkedList()
    while True:
        try:
            line = input()
        except EOFError:
            break
        cmd, *args = line.split()
        if cmd == "append":
            for a in args:
                lst.append(int(a))
        elif cmd == "push":
            lst.push(int(args[0]))
        elif cmd == "pop":
            try:
                print("popped", lst.pop())
            except IndexError as err:
                print("error:", err)
        elif cmd == "remove":
            print("removed" if lst.remove(int(args[0])) else "not found", args[0])
        elif cmd == "reverse":
            lst.reverse()
        elif cmd == "get":
            try:
                print(f"lst[{args[0]}] = {lst[int(args[0])]}")
            except IndexError as err:
                print("error:", err)
        elif cmd == "has":
            print(args[0], "in list:", int(args[0]) in lst)
        print(f"{cmd:>8}: {lst!r} (len {len(lst)})")
    print("sum", sum(lst), "max", max(lst), "sorted", sorted(lst))


if __name__ == "__main__":
    main()
