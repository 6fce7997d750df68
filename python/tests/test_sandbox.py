"""The repy package against the real repy binary: every run is a real sandbox."""

import os
import pathlib

import pytest

import repy


@pytest.fixture()
def box():
    return repy.Sandbox(restrictions={"memory": "100 MB"}, profile="python")


def test_eval_returns_a_completed_process_with_the_report(box):
    done = box.eval("print('hello', 6 * 7)")
    assert done.returncode == 0
    assert done.stdout == "hello 42\n"
    assert done.stderr == ""
    assert done.report["verdict"] == "finished"
    assert done.report["profile"] == "python"


def test_eval_reads_stdin(box):
    done = box.eval("name = input()\nprint(f'Hello, {name}!')", stdin="Ada\n")
    assert done.stdout == "Hello, Ada!\n"
    assert done.report["stdin_bytes"] == 4


def test_a_time_limit_ends_an_endless_loop(box):
    done = box.eval("while True:\n    pass\n", time_limit=0.5)
    assert done.returncode == 101
    assert done.verdict == "wall-time-limit"
    assert done.report["wall_seconds"] < 5


def test_a_memory_bomb_is_killed():
    box = repy.Sandbox(restrictions={"memory": "64 MB"})
    done = box.eval("x = [0] * (100 * 1000 * 1000)\nprint('survived')", time_limit=10)
    assert done.verdict == "resource-killed"
    assert "survived" not in done.stdout


def test_unsafe_code_never_runs(box, tmp_path):
    canary = tmp_path / "canary"
    done = box.eval(f"import os\nopen({str(canary)!r}, 'w').write('escaped')\n")
    assert done.returncode == 5
    assert done.verdict == "unsafe-code"
    assert "R301" in done.stderr
    assert not canary.exists()


def test_open_reaches_only_the_fresh_vessel(box, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    done = box.eval(f"print(open({str(outside)!r}).read())")
    assert done.returncode != 0
    assert "secret" not in done.stdout


def test_call_returns_the_value(box):
    source = "def add(a, b=0):\n    return {'sum': a + b, 'items': [a, b]}\n"
    assert box.call(source, "add", 2, b=3) == {"sum": 5, "items": [2, 3]}


def test_a_call_that_raises_is_a_sandbox_error(box):
    with pytest.raises(repy.SandboxError) as caught:
        box.call("def f(x):\n    return 1 / x\n", "f", 0)
    assert caught.value.verdict == "uncaught-exception"
    assert "ZeroDivisionError" in str(caught.value)
    assert caught.value.report["exception"]["class"] == "ZeroDivisionError"


def test_a_call_past_its_time_limit_is_a_sandbox_error(box):
    with pytest.raises(repy.SandboxError) as caught:
        box.call("def spin():\n    while True:\n        pass\n", "spin", time_limit=0.3)
    assert caught.value.verdict == "wall-time-limit"


def test_execute_file_passes_arguments(box, tmp_path):
    program = tmp_path / "greet.py"
    program.write_text("print(' '.join(callargs))\n")
    done = box.execute_file(program, args=["a", "b"])
    assert done.args == [str(program), "a", "b"]
    assert done.returncode == 0, done.stderr
    assert done.stdout == "a b\n"


def test_modules_are_listed_in_the_policy():
    box = repy.Sandbox(modules=["math"])
    assert box.eval("import math\nprint(math.sqrt(16))").stdout == "4.0\n"
    refused = repy.Sandbox().eval("import math\n")
    assert refused.verdict == "unsafe-code"


def test_output_as_bytes_on_request(box):
    done = box.eval("print('h\u00e9')", text=False)
    assert done.stdout == "h\u00e9\n".encode()


def test_restrictions_as_toml_text_or_a_file(tmp_path):
    text = 'profile = "python"\n[resources]\nwall-time = "5 s"\n'
    assert repy.Sandbox(restrictions=text).eval("print(1)").stdout == "1\n"
    path = tmp_path / "policy.toml"
    path.write_text(text)
    done = repy.Sandbox(restrictions=pathlib.Path(path)).eval("print(2)", time_limit=3)
    assert done.stdout == "2\n"
    assert done.report["limits"]["wall-time"] == 3


def test_bad_restrictions_are_a_clear_error():
    with pytest.raises(ValueError, match="memroy"):
        repy.Sandbox(restrictions={"memroy": "1 MB"}).eval("print(1)")


def test_the_binary_is_found():
    assert os.access(repy.find_repy_bin(), os.X_OK)
    assert repy.Sandbox.call.__doc__


def test_a_trusted_package_from_this_environment():
    numpy = pytest.importorskip("numpy")
    box = repy.Sandbox(restrictions={"memory": "400 MB"}, packages=["numpy"])
    done = box.eval("import numpy as np\nprint(np.arange(4).sum(), np.linalg.det(np.eye(2)))")
    assert (done.returncode, done.stdout) == (0, "6 1.0\n"), done.stderr
    assert numpy.__name__ == "numpy"
    # The language wall still names what the program may reach.
    done = box.eval("import numpy as np\nprint(np.ctypeslib)")
    assert done.returncode == 6 and "has no attribute 'ctypeslib'" in done.stderr
