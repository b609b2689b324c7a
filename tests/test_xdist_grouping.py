"""`--dist loadgroup` (pytest.ini) really keeps an `xdist_group` in one worker.

Several test files share one expensive module fixture among tests marked with the same
`xdist_group`; if the grouping silently stops working (it did with pytest 9.2 and pytest-xdist
3.8, see setup.py), every worker builds the fixture again and the suite gets slower, with no
test failing. This test makes that visible.
"""

import os
import subprocess
import sys

GROUPED_TESTS = '''
import os

import pytest

SAME_GROUP = pytest.mark.xdist_group("one_fixture")


@pytest.mark.parametrize("index", range(6))
@SAME_GROUP
def test_grouped(index):
    print("worker", os.environ["PYTEST_XDIST_WORKER"])
'''


def test_tests_of_one_group_run_in_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED_TESTS)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
         "-p", "no:randomly", "test_grouped.py"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    passed = [line for line in completed.stdout.splitlines() if "PASSED" in line]
    assert len(passed) == 6, completed.stdout
    assert all("@one_fixture" in line for line in passed), completed.stdout
    assert len({line.split("]")[0] for line in passed}) == 1, completed.stdout  # one "[gwN"
