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

# In-process tests only: the child's one import of TensorFlow and JAX is most of its time, and
# every train.py it started would import both again. The JAX paths they cover: the distribution
# wrapper and the process flags (test_strategy); building, resuming with the optimizer's state,
# fitting, saving and loading a run (test_fitting, and the checkpoints of test_epochcheckpoint);
# seeding and the random layers' reseeding (test_seeding); the learning-rate finder, on a logits
# model so its loss can explode on both backends (test_learningratefinder). train.py itself runs on JAX, in one process and in two, with
# --resume and evaluate.py, in tests/test_multiprocess_training.py. The tests of those files left
# out test TensorFlow's own objects (MirroredStrategy's replicas, tf.Tensor batches, `.numpy()`).
CHECKPOINTS = "tests/test_epochcheckpoint.py"
SEEDING = "tests/test_seeding.py"
JAX_TESTS = (
    "tests/test_strategy.py",
    "tests/test_fitting.py",
    f"{CHECKPOINTS}::test_saves_every_n_epochs_and_keeps_the_newest",
    f"{CHECKPOINTS}::test_failed_save_keeps_older_checkpoints",
    f"{SEEDING}::test_same_seed_gives_same_numbers",
    f"{SEEDING}::test_an_unseeded_stream_draws_its_seed_from_the_seeded_numpy_generator",
    f"{SEEDING}::test_epoch_seeds_count_passes_outside_fit_and_follow_fit_inside",
    f"{SEEDING}::test_random_layers_are_reseeded_from_the_seed_and_the_epoch_alone",
    "tests/test_learningratefinder.py",
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
