# A prefix tree with insertion, deletion, prefix search and autocomplete, driven by commands.

class TrieNode:
    __slots__ = ("children", "terminal", "count")

    def __init__(self):
        self.children = {}
        self.terminal = False
        self.count = 0


class Trie:
    def __init__(self, words=()):
        self.root = TrieNode()
        self.size = 0
        for w in words:
            self.insert(w)

    def insert(self, word: str) -> bool:
        node = self.root
        for ch in word:
            node = node.children.setdefault(ch, TrieNode())
            node.count += 1
        if node.terminal:
            self._undo_counts(word)
            return False
        node.terminal = True
        self.size += 1
        return True

    def _undo_counts(self, word):
        node = self.root
        for ch in word:
            node = node.children[ch]
            node.count -= 1

    def _find(self, prefix):
        node = self.root
        for ch in prefix:
            node = node.children.get(ch)
            if node is None:
                return None
        return node

    def __contains__(self, word):
        node = self._find(word)
        return node is not None and node.terminal

    def __len__(self):
        return self.size

    def __iter__(self):
        yield from self._walk(self.root, "")

    def _walk(self, node, prefix):
        if node.terminal:
            yield prefix
        for ch in sorted(node.children):
            yield from self._walk(node.children[ch], prefix + ch)

    def starting_with(self, prefix):
        node = self._find(prefix)
        return [] if node is None else list(self._walk(node, prefix))

    def count_prefix(self, prefix):
        node = self._find(prefix)
        return 0 if node is None else node.count

    def delete(self, word):
        if word not in self:
            raise KeyError(word)
        self._undo_counts(word)
        self._find(word).terminal = False
        self.size -= 1

    def longest_common_prefix(self):
        node, prefix = self.root, ""
        while len(node.children) == 1 and not node.terminal:
            (ch, node), = node.children.items()
            prefix += ch
        return prefix


trie = Trie(input().split())
print(len(trie), "words:", list(trie))
for line in iter(input, ""):
    cmd, _, arg = line.partition(" ")
    if cmd == "add":
        print(f"add {arg}: {'new' if trie.insert(arg) else 'duplicate'}")
    elif cmd == "has":
        print(f"{arg!r} in trie: {arg in trie}")
    elif cmd == "complete":
        found = trie.starting_with(arg)
        print(f"{arg}* -> {found[:5]}{' ...' if len(found) > 5 else ''} ({trie.count_prefix(arg)})")
    elif cmd == "del":
        try:
            trie.delete(arg)
            print("deleted", arg)
        except KeyError as e:
            print("cannot delete", e)
    elif cmd == "lcp":
        print("common prefix:", repr(trie.longest_common_prefix()))
print(len(trie), "words, longest:", max(trie, key=len), "shortest:", min(trie, key=len))
try:
    TrieNode().extra = 1
except AttributeError as e:
    print("slots:", e)
