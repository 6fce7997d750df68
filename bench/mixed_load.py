"""The 10,000 mixed requests of issue 15, sent to a running `repy serve` by httpx.

    python3 mixed_load.py URL TOKEN [CONCURRENCY] [TOTAL]

The mix is the one tests/serve.rs sends (`MIX`): ordinary runs, evaluations and calls,
standard input, uncaught exceptions, endless loops ended by their wall time, memory, thread
and fork bombs, unsafe code, malformed JSON, oversized bodies, bad and missing tokens,
interleaved. CONCURRENCY clients (32) each take the next request and wait for its answer.
Every answer is checked against what its request must get: the documented status and, for
a run, its verdict and the output or value that names the request's number (an answer
meant for another request would show). Prints one JSON object: counts by kind and status,
lost, duplicated, 5xx and wrong answers, the time taken and requests per second.

httpx comes from bench/.venv-httpx (bench/run installs it there); run with that directory
on sys.path.
"""

import asyncio
import json
import sys
import time

import httpx

MIX = [
    ("ordinary", 6700), ("eval", 800), ("call", 800), ("stdin", 150), ("exception", 400),
    ("loop", 60), ("memory-bomb", 60), ("thread-bomb", 60), ("fork-bomb", 60),
    ("unsafe", 300), ("malformed", 300), ("oversized", 60), ("bad-token", 150),
    ("no-token", 100),
]


def mixed_request(kind, n, token):
    """(body, token, status, verdict, stdout, value) of request `n` of `kind`."""
    run = json.dumps
    if kind == "ordinary":
        total = sum(range(n % 100))
        return (run({"source": f"total = sum(range({n} % 100))\nprint({n}, total)"}), token,
                200, "finished", f"{n} {total}\n", None)
    if kind == "eval":
        return run({"mode": "eval", "source": f"{n} * 2"}), token, 200, "finished", "", n * 2
    if kind == "call":
        return (run({"mode": "call", "source": "def echo(x):\n    return x\n",
                     "function": "echo", "args": [n]}), token, 200, "finished", "", n)
    if kind == "stdin":
        return (run({"source": "print(input())", "stdin": f"{n}\n"}), token, 200, "finished",
                f"{n}\n", None)
    if kind == "exception":
        return (run({"source": f"raise ValueError({n})"}), token, 200, "uncaught-exception",
                "", None)
    if kind == "loop":
        return (run({"source": "while True:\n    pass\n",
                     "restrictions": "[resources]\nwall-time = \"200 ms\"\n"}), token, 200,
                "wall-time-limit", "", None)
    if kind == "memory-bomb":
        return (run({"source": "hoard = []\nwhile True:\n    hoard.append('x' * 1000000)\n",
                     "restrictions": "[resources]\nmemory = \"40 MB\"\n"}), token, 200,
                "resource-killed", "", None)
    if kind == "thread-bomb":
        return (run({"source": "def spin():\n    sleep(10)\nwhile True:\n    createthread(spin)\n",
                     "restrictions": "[resources]\nwall-time = \"2 s\"\n"}), token, 200,
                "uncaught-exception", "", None)
    if kind == "fork-bomb":
        return (run({"source": "import os\nwhile True:\n    os.fork()\n"}), token, 200,
                "unsafe-code", "", None)
    if kind == "unsafe":
        return (run({"source": f"x = {n}\nprint(x.__class__.__subclasses__())"}), token, 200,
                "unsafe-code", "", None)
    if kind == "malformed":
        return '{"source": "print(%d)"' % n, token, 400, None, None, None
    if kind == "oversized":
        return (run({"source": "# " + "x" * (100 * 1024) + "\nprint(1)"}), token, 413, None,
                None, None)
    if kind == "bad-token":
        return run({"source": "print(1)"}), "not-the-token-0123456789", 403, None, None, None
    return run({"source": "print(1)"}), None, 401, None, None, None


async def main(url, token, concurrency, total):
    work = list(enumerate(kind for kind, count in MIX for _ in range(count)))
    size = len(work)
    # Interleaved, deterministically: the kinds spread over the whole run (and over the
    # first TOTAL when fewer are asked for).
    work.sort(key=lambda item: (item[0] * 7919) % size)
    work = work[:total]
    queue = list(reversed(work))
    answers = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120.0, limits=limits) as client:
        async def worker():
            while queue:
                n, kind = queue.pop()
                body, tok, _, _, _, _ = mixed_request(kind, n, token)
                headers = {"Content-Type": "application/json"}
                if tok:
                    headers["Authorization"] = f"Bearer {tok}"
                try:
                    response = await client.post(f"{url}/v1/runs", content=body, headers=headers)
                    answers.append((n, kind, response.status_code, response.text))
                except httpx.HTTPError as err:
                    answers.append((n, kind, None, repr(err)))

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.monotonic() - started
    seen = {}
    for n, _, _, _ in answers:
        seen[n] = seen.get(n, 0) + 1
    by_kind = {}
    wrong = []
    statuses = {}
    for n, kind, status, text in answers:
        _, _, want, verdict, stdout, value = mixed_request(kind, n, token)
        key = str(status)
        statuses[key] = statuses.get(key, 0) + 1
        by_kind.setdefault(kind, {}).setdefault(key, 0)
        by_kind[kind][key] += 1
        if status != want:
            wrong.append(f"{kind} {n}: status {status}, expected {want}: {text[:200]}")
            continue
        if verdict is not None:
            outcome = json.loads(text)
            if outcome.get("verdict") != verdict:
                wrong.append(f"{kind} {n}: verdict {outcome.get('verdict')}, expected {verdict}")
            elif stdout and outcome.get("stdout") != stdout:
                wrong.append(f"{kind} {n}: stdout {outcome.get('stdout')!r} (another's?)")
            elif outcome.get("value") != value:
                wrong.append(f"{kind} {n}: value {outcome.get('value')!r}, expected {value!r}")
    print(json.dumps({
        "requests": len(work),
        "answers": len(answers),
        "lost": len(work) - len(seen),
        "duplicated": sum(count - 1 for count in seen.values()),
        "server_errors": sum(count for status, count in statuses.items()
                             if status.isdigit() and int(status) >= 500),
        "no_answer": statuses.get("None", 0),
        "wrong": len(wrong),
        "wrong_first": wrong[:5],
        "statuses": statuses,
        "by_kind": by_kind,
        "seconds": seconds,
        "concurrency": concurrency,
        "httpx": httpx.__version__,
    }))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2],
                     int(sys.argv[3]) if len(sys.argv) > 3 else 32,
                     int(sys.argv[4]) if len(sys.argv) > 4 else 10_000))
