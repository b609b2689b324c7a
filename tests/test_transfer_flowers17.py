"""End-to-end smoke test of experiments/transfer_flowers17 on tiny generated images, offline.

Each script runs in its own process, as a user runs it: extract VGG16 features (random
weights, 32x32 input), train the grid-searched logistic regression, then rank-1/rank-5.
"""

import json

import cv2
import h5py
import numpy as np

from tests import scripts


def _run(script, arguments, cwd):
    environment = {"PYIMAGESEARCH_DATASETS": str(cwd / "datasets")}
    completed = scripts.run_experiment_script(
        "transfer_flowers17", script, arguments, cwd=cwd, environment=environment
    )
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

    output = _run(
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

    output = _run("rank_accuracy.py", ["--output", "out"], tmp_path)
    result = json.loads((run_dir / "rank_accuracy.json").read_text())
    assert result["rank1"] == metrics["rank1"] and result["samples"] == 8
    assert result["rank5"] == 1.0  # 3 classes
    assert f"rank-1: {result['rank1'] * 100:.2f}%" in output


def test_bad_input_fails_cleanly(tmp_path):
    completed = scripts.run_experiment_script(
        "transfer_flowers17", "train_model.py", ["--features", "missing.hdf5", "--output", "out"], cwd=tmp_path
    )
    assert completed.returncode == 2
    assert "missing.hdf5" in completed.stderr and "does not exist" in completed.stderr
    assert not (tmp_path / "out" / "transfer_flowers17").exists() or not any(
        (tmp_path / "out" / "transfer_flowers17").iterdir()
    )
