# A prefix tree (trie) for autocompletion and word counting, built from stdin words.

class TrieNode:
    def __init__(self):
        self.children = {}
        self.count = 0


class Trie:
    def __init__(self):
        self.root = TrieNode()
        self.words = 0

    def insert(self, word):
        node = self.root
        for ch in word:
            node = node.children.setdefault(ch, TrieNode())
        if node.count == 0:
            self.words += 1
        node.count += 1

    def _find(self, prefix):
        node = self.root
        for ch in prefix:
            node = node.children.get(ch)
            if node is None:
                return None
        return node

    def __contains__(self, word):
        node = self._find(word)
        return node is not None and node.count > 0

    def __len__(self):
        return self.words

    def complete(self, prefix):
        node = self._find(prefix)
        if node is None:
            return
        stack = [(node, prefix)]
        while stack:
            node, text = stack.pop()
            if node.count:
                yield text, node.count
            for ch in sorted(node.children, reverse=True):
                stack.append((node.children[ch], text + ch))

    def longest_common_prefix(self):
        node, prefix = self.root, ""
        while len(node.children) == 1 and node.count == 0:
            ch, node = next(iter(node.children.items()))
            prefix += ch
        return prefix


def main():
    trie = Trie()
    text_lines = int(input())
    for _ in range(text_lines):
        for word in input().lower().split():
            trie.insert(word.strip(".,;:!?"))
    print(len(trie), "distinct words")
    while True:
        try:
            prefix = input().strip()
        except EOFError:
            break
        matches = list(trie.complete(prefix))
        best = sorted(matches, key=lambda m: (-m[1], m[0]))[:3]
        print(f"{prefix!r:>8}: {len(matches)} matches; top: {', '.join(f'{w}({n})' for w, n in best) or '-'}")
    print("'the' in trie:", "the" in trie, "| 'th' in trie:", "th" in trie)
    small = Trie()
    for w in ("interview", "internet", "internal", "interval"):
        small.insert(w)
    print("common prefix:", small.longest_common_prefix())


main()
