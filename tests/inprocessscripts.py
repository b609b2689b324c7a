"""Runs an experiment script inside the test process, as `python experiments/<name>/<script> ...` would.

The script's file is executed as `__main__` (`runpy.run_path`), with `sys.argv` set and its
folder's config.py as the module `config` (other experiments have one too: it is swapped in
only for the call). What a new process would add is a second import of TensorFlow, about 12 s
on a slow CPU; what it would check besides (a clean interpreter, the exit status the shell
sees) is checked for every script by the train runs of `tests.scripts`. So only scripts that
change no process-wide state belong here: build, evaluate, rank_accuracy and visualize
scripts, not a train.py (it seeds, picks the strategy and the precision policy for the whole
process). `load_experiment_module` imports a script without running it, to call its functions.
"""

import contextlib
import importlib.util
import io
import runpy
import subprocess
import sys

import pytest

from tests import scripts


def run_experiment_script(experiment, script, arguments=(), cwd=None):
    """Returns a `subprocess.CompletedProcess` with the exit code and what the script printed,
    so `scripts.check_succeeded` takes it; `cwd` is the working directory during the call (the
    repository by default), and `sys.argv`, `sys.path` and `config` are restored after it."""
    path = scripts.EXPERIMENTS / experiment / script
    argv = [str(path), *map(str, arguments)]
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        _use_experiment_config(patch, experiment)
        patch.setattr(sys, "argv", argv)
        patch.chdir(cwd or scripts.REPOSITORY)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                runpy.run_path(str(path), run_name="__main__")
                code = 0
            except SystemExit as stop:
                code = _exit_code(stop.code)
    return subprocess.CompletedProcess([sys.executable, *argv], code, stdout.getvalue(), stderr.getvalue())


def load_experiment_module(monkeypatch, experiment, script):
    """experiments/<experiment>/<script> imported as a module (its `if __name__ == "__main__"` part
    not run), its `config` the experiment's own until the test ends."""
    _use_experiment_config(monkeypatch, experiment)
    return _load(scripts.EXPERIMENTS / experiment / script, f"{experiment}_{script.removesuffix('.py')}")


def _use_experiment_config(patch, experiment):
    folder = scripts.EXPERIMENTS / experiment
    patch.setitem(sys.modules, "config", _load(folder / "config.py", f"{experiment}_config"))
    patch.syspath_prepend(str(folder))


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exit_code(code):
    """What the shell would see for `sys.exit(code)`."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1
