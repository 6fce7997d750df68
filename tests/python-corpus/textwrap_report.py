# Formats paragraphs read from stdin with textwrap: fill, wrap, indent, dedent, shorten.
import textwrap

width = int(input())
paragraphs = []
current = []
for line in iter(input, "END"):
    if line.strip():
        current.append(line.strip())
    elif current:
        paragraphs.append(" ".join(current))
        current = []
if current:
    paragraphs.append(" ".join(current))

for i, para in enumerate(paragraphs, 1):
    print(f"--- paragraph {i} ({len(para)} chars) ---")
    print(textwrap.fill(para, width=width))
    lines = textwrap.wrap(para, width=width // 2)
    print(f"[{len(lines)} half-width lines, longest {max(map(len, lines))}]")
    print(textwrap.indent(textwrap.fill(para, width - 4), "  > "))
    print("summary:", textwrap.shorten(para, width=width, placeholder=" [...]"))
code = """
    def greet(name):
        return f"hello {name}"
"""
print(textwrap.dedent(code).strip())
wrapper = textwrap.TextWrapper(width=width, initial_indent="* ", subsequent_indent="  ", break_long_words=True)
print("\n".join(wrapper.wrap("supercalifragilisticexpialidocious " * 3)))
print(textwrap.fill("a b c d e f g h", width=5, max_lines=2, placeholder="~"))
