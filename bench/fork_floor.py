"""What one fresh fork of a bare CPython costs, in CPU (parent and child together): fork,
print a line, `_exit`, and the parent's wait, repeated. A warm `repy serve` request is such a
fork of its zygote plus everything around it, so this is the floor under its CPU.

Prints one JSON object: {"forks": N, "cpu_us": ..., "wall_us": ...} per fork."""
import json
import os
import resource
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


devnull = open(os.devnull, "w")
start_cpu, start = cpu(), time.perf_counter()
for _ in range(N):
    pid = os.fork()
    if pid == 0:
        print("Hello, world", file=devnull, flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"forks": N, "cpu_us": (cpu() - start_cpu) / N * 1e6, "wall_us": wall / N * 1e6}))
