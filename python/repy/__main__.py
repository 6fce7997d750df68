"""``python -m repy ARGS`` runs the bundled ``repy`` binary with ARGS."""

import os
import sys

from repy import find_repy_bin


def main() -> None:
    binary = find_repy_bin()
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
