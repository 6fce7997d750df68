"""repy.Client against a real `repy serve` on loopback, with a bearer token."""

import re
import subprocess
import time

import pytest

import repy

CEILING = 'profile = "python"\n[resources]\nmemory = "100 MB"\nwall-time = "5 s"\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("serve")
    (work / "ceiling.toml").write_text(CEILING)
    (work / "tokens").write_text("secret-token-0123456789\n")
    proc = subprocess.Popen(
        [repy.find_repy_bin(), "serve", "--listen", "127.0.0.1:0",
         "--policy", str(work / "ceiling.toml"), "--tokens", str(work / "tokens")],
        stderr=subprocess.PIPE, text=True)
    url = None
    deadline = time.monotonic() + 30
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        found = re.search(r"listening on (http://[0-9.:]+)", line)
        if found:
            url = found.group(1)
    assert url, "repy serve did not start"
    yield url
    proc.terminate()
    assert proc.wait(timeout=30) == 0


def test_client_eval_call_and_errors(server):
    client = repy.Client(server, token="secret-token-0123456789")
    done = client.eval("print(input() * 2)", stdin="ab\n")
    assert done.returncode == 0
    assert done.stdout == "abab\n"
    assert done.report["verdict"] == "finished"
    assert client.call("def add(a, b):\n    return a + b\n", "add", 2, 3) == 5
    with pytest.raises(repy.SandboxError) as caught:
        client.call("def f():\n    raise ValueError('no')\n", "f")
    assert caught.value.verdict == "uncaught-exception"


def test_client_limits_are_the_servers_at_most(server):
    client = repy.Client(server, token="secret-token-0123456789", restrictions={"memory": "1 GB"})
    done = client.eval("print(1)")
    assert done.report["limits"]["memory"] == 100_000_000


def test_client_with_a_wrong_token_is_refused(server):
    client = repy.Client(server, token="wrong")
    with pytest.raises(RuntimeError, match="403"):
        client.eval("print(1)")
