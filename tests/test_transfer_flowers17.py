"""End-to-end tests of experiments/transfer_flowers17, offline.

The smoke test extracts VGG16 features (random weights, 32x32 input) from tiny generated
images, trains the grid-searched logistic regression, then reports rank-1/rank-5. The scripts
that use TensorFlow (extract_features.py, digits_transfer.py) run in a process of their own, as a
user runs them; train_model.py and rank_accuracy.py (scikit-learn on a features file, nothing
process-wide: no seed, no strategy) run in the test process (tests/inprocessscripts.py), which
saves the TensorFlow import a new process makes.

The digits test is the offline proof that transfer learning works: features of a network
trained on digits 0-4 classify the unseen digits 5-9 clearly better than the same network with
random weights. It runs digits_transfer.py (MiniVGGNet at 16x16 trained on scikit-learn's real
8x8 handwritten digits 0-4; `extract_features` from the saved `.keras` file at layer
block2_pool, average-pooled to 64 values, for the digits 5-9; logistic regression with C
grid-searched on half of them, scored on the other half).
"""

import json

import cv2
import h5py
import numpy as np

from tests import inprocessscripts, scripts

# Measured with `python experiments/transfer_flowers17/digits_transfer.py --epochs 4` (seeds 0-4):
# accuracy on 5-9 with trained features 0.933 / 0.967 / 0.969 / 0.960 / 0.960, with random
# weights 0.828 / 0.725 / 0.806 / 0.701 / 0.694: margins +10.5 / +24.1 / +16.3 / +25.9 / +26.6
# points. Seed 0 gives the smallest margin; the test asserts half of it.
MINIMUM_MARGIN = 0.05
MINIMUM_TRAINED_ACCURACY = 0.85


def _run(script, arguments, cwd):
    environment = {"PYIMAGESEARCH_DATASETS": str(cwd / "datasets")}
    completed = scripts.run_experiment_script(
        "transfer_flowers17", script, arguments, cwd=cwd, environment=environment
    )
    return scripts.check_succeeded(completed).stdout


def _run_in_process(script, arguments, cwd):
    completed = inprocessscripts.run_experiment_script("transfer_flowers17", script, arguments, cwd=cwd)
    return scripts.check_succeeded(completed).stdout


def _flowers(root, classes=3, per_class=10):
    """Tiny 'flowers': each class a different dominant colour, plus noise, as JPEG files."""
    generator = np.random.default_rng(0)
    for label in range(classes):
        folder = root / f"flower{label}"
        folder.mkdir(parents=True)
        for index in range(per_class):
            image = generator.integers(0, 60, (40, 50, 3)).astype(np.uint8)
            image[..., label] += 150
            cv2.imwrite(str(folder / f"image_{index:04d}.jpg"), image)
    (root / "flower0" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return root


def test_extract_train_and_rank(tmp_path):
    images = _flowers(tmp_path / "flowers")
    output = _run(
        "extract_features.py",
        ["--dataset", str(images), "--output", "features.hdf5", "--weights", "none", "--image-size", "32",
         "--batch-size", "8", "--no-progress"],
        tmp_path,
    )
    assert "skipped 1 of 31 images" in output and "broken.jpg" in output
    with h5py.File(tmp_path / "features.hdf5", "r") as handle:
        assert handle["features"].shape == (30, 512)  # VGG16 pool5 at 32x32: 1 x 1 x 512, flattened
        assert handle["features"].dtype == np.float32
        assert "rows shuffled once with seed 42" in handle.attrs["preprocessing"]
        labels = handle["labels"][...]
    assert sorted(labels.tolist()) == [0] * 10 + [1] * 10 + [2] * 10
    assert labels.tolist() != sorted(labels.tolist())  # shuffled (the course's --shuffle)

    output = _run_in_process(
        "train_model.py",
        ["--features", "features.hdf5", "--c-values", "0.1", "1", "--output", "out", "--run-id", "smoke"],
        tmp_path,
    )
    run_dir = tmp_path / "out" / "transfer_flowers17" / "smoke"
    assert "precision" in output and "flower2" in output  # the classification report
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["train_rows"] == 22 and metrics["test_rows"] == 8
    assert metrics["best_C"] in (0.1, 1.0)
    assert (run_dir / "classifier.skops").is_file() and (run_dir / "config.json").is_file()

    output = _run_in_process("rank_accuracy.py", ["--output", "out"], tmp_path)
    result = json.loads((run_dir / "rank_accuracy.json").read_text())
    assert result["rank1"] == metrics["rank1"] and result["samples"] == 8
    assert result["rank5"] == 1.0  # 3 classes
    assert f"rank-1: {result['rank1'] * 100:.2f}%" in output


def test_bad_input_fails_cleanly(tmp_path):
    completed = inprocessscripts.run_experiment_script(
        "transfer_flowers17", "train_model.py", ["--features", "missing.hdf5", "--output", "out"], cwd=tmp_path
    )
    assert completed.returncode == 2
    assert "missing.hdf5" in completed.stderr and "does not exist" in completed.stderr
    assert not (tmp_path / "out" / "transfer_flowers17").exists() or not any(
        (tmp_path / "out" / "transfer_flowers17").iterdir()
    )


def test_trained_features_beat_random_weights_on_unseen_classes(tmp_path):
    completed = scripts.check_succeeded(scripts.run_experiment_script(
        "transfer_flowers17", "digits_transfer.py",
        ["--seeds", "0", "--epochs", "4", "--work-dir", tmp_path / "work", "--json", tmp_path / "result.json"],
        cwd=tmp_path, environment={"PYIMAGESEARCH_DATASETS": str(tmp_path / "datasets")},
    ))
    (result,) = json.loads((tmp_path / "result.json").read_text())["results"]
    assert result["trained_features_accuracy"] >= MINIMUM_TRAINED_ACCURACY, result
    assert result["margin"] >= MINIMUM_MARGIN, result
    # Both feature files came from the package's extraction of the .keras file, 896 digits 5-9.
    for weights in ("auto", "none"):
        assert (tmp_path / "work" / f"digits59_seed0_{weights}.hdf5").is_file()
    assert "| 0 |" in completed.stdout  # the Markdown table row
