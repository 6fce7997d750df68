"""
A singly linked list in the style of an algorithms collection: type hints,
collections.abc protocols, and a demonstration when run as a script.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class Node:
    def __init__(self, data: Any, next_node: Node | None = None) -> None:
        self.data = data
        self.next_node = next_node

    def __repr__(self) -> str:
        return f"Node({self.data})"


class LinkedList:
    def __init__(self, items: Iterable[Any] = ()) -> None:
        self.head: Node | None = None
        for item in items:
            self.insert_tail(item)

    def __iter__(self) -> Iterator[Any]:
        node = self.head
        while node:
            yield node.data
            node = node.next_node

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return " -> ".join(str(item) for item in self) or "<empty>"

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise ValueError("list index out of range.")
        for i, item in enumerate(self):
            if i == index:
                return item
        return None

    def insert_nth(self, index: int, data: Any) -> None:
        if not 0 <= index <= len(self):
            raise IndexError("list index out of range")
        new = Node(data)
        if index == 0:
            new.next_node, self.head = self.head, new
            return
        prev = self.head
        for _ in range(index - 1):
            prev = prev.next_node
        new.next_node, prev.next_node = prev.next_node, new

    def insert_head(self, data: Any) -> None:
        self.insert_nth(0, data)

    def insert_tail(self, data: Any) -> None:
        self.insert_nth(len(self), data)

    def delete_nth(self, index: int = 0) -> Any:
        if not 0 <= index < len(self):
            raise IndexError("List index out of range.")
        if index == 0:
            node = self.head
            self.head = node.next_node
            return node.data
        prev = self.head
        for _ in range(index - 1):
            prev = prev.next_node
        node = prev.next_node
        prev.next_node = node.next_node
        return node.data

    def reverse(self) -> None:
        prev, current = None, self.head
        while current:
            current.next_node, prev, current = prev, current, current.next_node
        self.head = prev


def main() -> None:
    linked_list = LinkedList(int(x) for x in input().split())
    print(linked_list, len(linked_list), isinstance(linked_list, Iterable))
    linked_list.insert_head("first")
    linked_list.insert_tail("last")
    linked_list.insert_nth(3, "middle")
    print(linked_list)
    print("deleted:", linked_list.delete_nth(0), linked_list.delete_nth(len(linked_list) - 1))
    linked_list.reverse()
    print("reversed:", linked_list, "item 2:", linked_list[2])
    try:
        linked_list.delete_nth(99)
    except IndexError as e:
        print("IndexError:", e)
    print(sorted(x for x in linked_list if isinstance(x, int)), repr(LinkedList()))


if __name__ == "__main__":
    main()
