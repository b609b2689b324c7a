"""End to end: Kaggle's flat dogs-vs-cats layout -> HDF5 files -> AlexNet -> 10-crop evaluation."""

import json

import cv2
import numpy as np
import pytest

from pyimagesearch.utils import strategy
from tests import inprocessscripts, scripts

EXPERIMENT = "alexnet_dogs_vs_cats"


def train(*arguments):
    # One replica: tracing AlexNet for two adds much of this test's time, and the two-replica path
    # of training from HDF5 files is covered by test_minivgg_flowers17 and test_hdf5pipeline.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}
    return scripts.check_succeeded(
        scripts.run_experiment_script(EXPERIMENT, "train.py", arguments, environment=environment)
    )


def run_in_process(name, *arguments):
    """build_dataset.py and evaluate.py change no process-wide state: run here (tests/inprocessscripts.py)."""
    return scripts.check_succeeded(inprocessscripts.run_experiment_script(EXPERIMENT, name, arguments))


# The tests that use `built` go to one pytest-xdist worker (pytest.ini: --dist loadgroup),
# so the module-scoped build is made once, not once in each worker.
SHARES_BUILT = pytest.mark.xdist_group("test_alexnet_dogs_vs_cats.built")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """40 JPEGs named like Kaggle's train/ folder (cat.0.jpg, dog.0.jpg, ...) and a zero-byte one."""
    root = tmp_path_factory.mktemp("dogs_vs_cats")
    kaggle = root / "train"
    kaggle.mkdir()
    random = np.random.default_rng(0)
    for label, channel in (("cat", 2), ("dog", 0)):
        for number in range(20):
            image = random.integers(0, 80, (80 + number, 90, 3), dtype=np.uint8)
            image[..., channel] += 150
            cv2.imwrite(str(kaggle / f"{label}.{number}.jpg"), image)
    (kaggle / "dog.99.jpg").write_bytes(b"")
    hdf5_dir = root / "hdf5"
    result = run_in_process(
        "build_dataset.py", "--dataset", kaggle, "--output", hdf5_dir,
        "--image-size", 72, "--val-size", 8, "--test-size", 8,
    )
    return root, hdf5_dir, result


@SHARES_BUILT
def test_build_writes_three_splits_a_mean_and_reports_the_bad_file(built):
    _, hdf5_dir, result = built
    assert {path.name for path in hdf5_dir.glob("*.hdf5")} == {"train.hdf5", "val.hdf5", "test.hdf5"}
    assert list(hdf5_dir.glob("*_mean.json"))
    assert "dog.99.jpg" in (hdf5_dir / "build_report.txt").read_text()


@SHARES_BUILT
def test_train_resume_and_evaluate_with_ten_crops(built):
    root, hdf5_dir, _ = built
    output = root / "output"
    train("--dataset", hdf5_dir, "--crop-size", 64, "--epochs", 1, "--batch-size", 4,
          "--output", output, "--run-id", "smoke", "--checkpoint-every", 1)
    run_dir = output / EXPERIMENT / "smoke"
    resumed = train("--resume", run_dir, "--epochs", 2)
    assert "resuming from" in resumed.stdout
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 2
    recorded = json.loads((run_dir / "metrics.json").read_text())
    assert {"rank1_resized", "rank1_ten_crop"} <= set(recorded)
    run_in_process("evaluate.py", "--run", run_dir)
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])
    assert rebuilt["samples"] == 8
