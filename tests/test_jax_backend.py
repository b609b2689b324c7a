"""The training tests again on the JAX backend: how the suite's one command (`python -m pytest -q
-n 2`) also tests `KERAS_BACKEND=jax`.

Keras picks its backend once per process, so a chosen set of training tests runs in a child
pytest with KERAS_BACKEND=jax; this test fails with the child's report if any of them fails.
Run the same set by hand with `KERAS_BACKEND=jax python -m pytest -q <the files below>`. The
multi-process tests (tests/test_multiprocess_training.py) start JAX processes themselves.
"""

import os
import subprocess
import sys

import pytest

from pyimagesearch.utils import strategy
from tests import scripts

pytest.importorskip("jax")

FLAGSHIP = "tests/test_minivgg_flowers17.py"
# evaluate.py on JAX is run by tests/test_multiprocess_training.py, so it is not repeated here.
JAX_TESTS = (
    "tests/test_strategy.py",
    "tests/test_fitting.py",
    f"{FLAGSHIP}::test_train_writes_a_complete_run_folder",
    f"{FLAGSHIP}::test_resume_continues_at_the_next_epoch",
    f"{FLAGSHIP}::test_find_lr_and_preview_write_their_files_and_no_model",
)


@pytest.mark.skipif(strategy.backend() == "jax", reason="already on the JAX backend: the files run directly")
def test_the_training_tests_pass_on_the_jax_backend():
    environment = dict(os.environ, KERAS_BACKEND="jax")
    environment.pop("PYTEST_XDIST_WORKER", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *JAX_TESTS],
        cwd=scripts.REPOSITORY, env=environment, capture_output=True, text=True, timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout.splitlines()[-1]
