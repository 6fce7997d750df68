# A binary search tree with insert, delete, traversal generators and balance checks.

class Node:
    def __init__(self, key):
        self.key = key
        self.left = None
        self.right = None


class BinarySearchTree:
    def __init__(self):
        self.root = None
        self.size = 0

    def insert(self, key):
        def _insert(node):
            if node is None:
                self.size += 1
                return Node(key)
            if key < node.key:
                node.left = _insert(node.left)
            elif key > node.key:
                node.right = _insert(node.right)
            return node
        self.root = _insert(self.root)

    def delete(self, key):
        def _delete(node, key):
            if node is None:
                raise KeyError(key)
            if key < node.key:
                node.left = _delete(node.left, key)
            elif key > node.key:
                node.right = _delete(node.right, key)
            else:
                if node.left is None:
                    return node.right
                if node.right is None:
                    return node.left
                successor = node.right
                while successor.left:
                    successor = successor.left
                node.key = successor.key
                node.right = _delete(node.right, successor.key)
            return node
        self.root = _delete(self.root, key)
        self.size -= 1

    def __contains__(self, key):
        node = self.root
        while node:
            if key == node.key:
                return True
            node = node.left if key < node.key else node.right
        return False

    def __len__(self):
        return self.size

    def __iter__(self):
        yield from self._inorder(self.root)

    def _inorder(self, node):
        if node:
            yield from self._inorder(node.left)
            yield node.key
            yield from self._inorder(node.right)

    def preorder(self):
        stack = [self.root] if self.root else []
        while stack:
            node = stack.pop()
            yield node.key
            stack.extend(child for child in (node.right, node.left) if child)

    def levels(self):
        level = [self.root] if self.root else []
        while level:
            yield [n.key for n in level]
            level = [c for n in level for c in (n.left, n.right) if c]

    def height(self, node=None, top=True):
        if top:
            node = self.root
        if node is None:
            return 0
        return 1 + max(self.height(node.left, False), self.height(node.right, False))


def main():
    tree = BinarySearchTree()
    for token in input().split():
        tree.insert(int(token))
    print("size", len(tree), "height", tree.height())
    print("in order:", list(tree))
    print("pre order:", list(tree.preorder()))
    for depth, keys in enumerate(tree.levels()):
        print(f"  level {depth}: {keys}")
    for token in input().split():
        key = int(token)
        try:
            tree.delete(key)
            print(f"deleted {key}: {list(tree)}")
        except KeyError as err:
            print("not in tree:", err)
    print("41 in tree:", 41 in tree, "| 50 in tree:", 50 in tree)
    print("final height:", tree.height(), "min:", min(tree), "max:", max(tree))


main()
