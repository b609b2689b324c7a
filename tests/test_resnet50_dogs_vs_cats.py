"""End-to-end smoke test of experiments/resnet50_dogs_vs_cats on tiny generated photos, offline.

ResNet50 with random weights at 32x32 stands in for the ImageNet one; the data is Kaggle's
flat layout (`cat.0.jpg`, `dog.0.jpg`) with a zero-byte file. Image HDF5 files as the source go
through the same package function, tested in test_features.py.
"""

import json

import cv2
import h5py
import numpy as np

from tests import scripts


def _run(script, arguments, cwd):
    environment = {"PYIMAGESEARCH_DATASETS": str(cwd / "datasets")}
    completed = scripts.run_experiment_script(
        "resnet50_dogs_vs_cats", script, arguments, cwd=cwd, environment=environment
    )
    return scripts.check_succeeded(completed).stdout


def _photos(count_per_class=9, size=(36, 44)):
    generator = np.random.default_rng(1)
    photos = {}
    for label, name in enumerate(("cat", "dog")):
        for index in range(count_per_class):
            image = generator.integers(0, 80, size + (3,)).astype(np.uint8)
            image[..., 2 * label] += 120  # cats bluish, dogs reddish
            photos[f"{name}.{index}.jpg"] = image
    return photos


def test_flat_kaggle_folder(tmp_path):
    train = tmp_path / "train"
    train.mkdir()
    photos = _photos()
    for name, image in photos.items():
        cv2.imwrite(str(train / name), image)
    (train / "cat.999.jpg").write_bytes(b"")
    output = _run(
        "extract_features.py",
        ["--dataset", str(train), "--output", "folder.hdf5", "--weights", "none", "--image-size", "32",
         "--batch-size", "8", "--no-progress"],
        tmp_path,
    )
    assert "skipped 1 of 19 images" in output and "cat.999.jpg" in output
    with h5py.File(tmp_path / "folder.hdf5", "r") as handle:
        assert handle["features"].shape == (18, 2048)  # ResNet50, average-pooled
        assert [name.decode() for name in handle["label_names"][...]] == ["cat", "dog"]
        assert sorted(handle["labels"][...].tolist()) == [0] * 9 + [1] * 9  # labels from cat.N / dog.N

    output = _run("train_model.py", ["--features", "folder.hdf5", "--output", "out", "--run-id", "smoke"], tmp_path)
    metrics = json.loads((tmp_path / "out" / "resnet50_dogs_vs_cats" / "smoke" / "metrics.json").read_text())
    assert metrics["train_rows"] == 13 and metrics["test_rows"] == 5
    assert metrics["best_C"] in (0.0001, 0.001, 0.01, 0.1, 1.0)  # the course's grid from config.py
    assert "cat" in output and "dog" in output
