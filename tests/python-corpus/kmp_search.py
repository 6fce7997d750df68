"""String searching: Knuth-Morris-Pratt, Z-function and Rabin-Karp, cross-checked."""


def prefix_function(pattern: str) -> list[int]:
    pi = [0] * len(pattern)
    k = 0
    for i in range(1, len(pattern)):
        while k and pattern[i] != pattern[k]:
            k = pi[k - 1]
        if pattern[i] == pattern[k]:
            k += 1
        pi[i] = k
    return pi


def kmp_search(pattern: str, text: str) -> list[int]:
    if not pattern:
        return list(range(len(text) + 1))
    pi, hits, k = prefix_function(pattern), [], 0
    for i, ch in enumerate(text):
        while k and ch != pattern[k]:
            k = pi[k - 1]
        if ch == pattern[k]:
            k += 1
        if k == len(pattern):
            hits.append(i - k + 1)
            k = pi[k - 1]
    return hits


def z_function(s: str) -> list[int]:
    n = len(s)
    z = [0] * n
    left = right = 0
    for i in range(1, n):
        if i < right:
            z[i] = min(right - i, z[i - left])
        while i + z[i] < n and s[z[i]] == s[i + z[i]]:
            z[i] += 1
        if i + z[i] > right:
            left, right = i, i + z[i]
    return z


def rabin_karp(pattern: str, text: str, base: int = 256, mod: int = 1_000_000_007) -> list[int]:
    m, n = len(pattern), len(text)
    if m > n:
        return []
    high = pow(base, m - 1, mod)
    ph = th = 0
    for i in range(m):
        ph = (ph * base + ord(pattern[i])) % mod
        th = (th * base + ord(text[i])) % mod
    hits = []
    for i in range(n - m + 1):
        if ph == th and text[i:i + m] == pattern:
            hits.append(i)
        if i + m < n:
            th = ((th - ord(text[i]) * high) * base + ord(text[i + m])) % mod
    return hits


def smallest_period(s: str) -> str:
    p = len(s) - prefix_function(s)[-1]
    return s[:p] if len(s) % p == 0 else s


if __name__ == "__main__":
    text = input()
    for pattern in input().split("|"):
        found = kmp_search(pattern, text)
        assert found == rabin_karp(pattern, text) or not pattern
        z = z_function(pattern + "\0" + text)
        assert [i - len(pattern) - 1 for i, v in enumerate(z) if v >= len(pattern) and i > len(pattern)] == found
        print(f"{pattern!r:>10}: {len(found)} at {found[:8]}")
    for word in input().split():
        print(f"{word}: prefix function {prefix_function(word)}, period {smallest_period(word)!r}")
    print("python find:", text.find("abra"), text.count("abra"), text.index("cad"))
