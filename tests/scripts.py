"""Runs experiment scripts as a user does: `python experiments/<name>/<script> ...`, in a new process.

A new process per script also checks what an in-process call can't: the script's own imports,
its exit code and what it prints.
"""

import os
import pathlib
import subprocess
import sys

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
EXPERIMENTS = REPOSITORY / "experiments"


def run_experiment_script(experiment, script, arguments=(), cwd=None, environment=None, timeout=600):
    """Returns the finished `subprocess.CompletedProcess` (text output captured), whatever its exit code.

    The child inherits this process's environment, updated with `environment`; it runs in `cwd`
    (the repository by default).
    """
    child_environment = dict(os.environ, **(environment or {}))
    return subprocess.run(
        [sys.executable, str(EXPERIMENTS / experiment / script), *map(str, arguments)],
        cwd=cwd or REPOSITORY, env=child_environment, capture_output=True, text=True, timeout=timeout,
    )


def check_succeeded(completed):
    """Fails the test with the tail of the script's output unless it exited 0; returns `completed`."""
    script = pathlib.Path(completed.args[1]).name
    assert completed.returncode == 0, (
        f"{script} exited {completed.returncode}:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    )
    return completed
