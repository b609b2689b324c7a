import os
import pathlib

import numpy as np
import pytest

from pyimagesearch.datasets import splits


def make_paths(root, classes=3, per_class=8):
    paths = []
    for index in range(classes):
        folder = root / f"class_{index}"
        folder.mkdir(parents=True)
        for number in range(per_class):
            path = folder / f"{number}.jpg"
            path.write_bytes(b"")
            paths.append(str(path))
    return paths


def test_split_is_stratified_seeded_and_relative(tmp_path):
    paths = make_paths(tmp_path)
    first = splits.split_image_folder(paths, tmp_path, test_size=0.25, seed=3)
    again = splits.split_image_folder(paths, tmp_path, test_size=0.25, seed=3)
    other = splits.split_image_folder(paths, tmp_path, test_size=0.25, seed=4)
    assert first == again
    assert first["test"] != other["test"]
    assert first["class_names"] == ["class_0", "class_1", "class_2"]
    assert len(first["test"]) == 6 and len(first["train"]) == 18
    test_labels = splits.labels_from_paths(first["test"], first["class_names"])
    assert np.bincount(test_labels).tolist() == [2, 2, 2]
    assert not set(first["test"]) & set(first["train"])
    assert all(not path.startswith("/") for path in first["test"])


def test_split_round_trips_through_json(tmp_path):
    paths = make_paths(tmp_path / "data")
    split = splits.split_image_folder(paths, tmp_path / "data", seed=1)
    splits.save_split(split, tmp_path / "run" / "split.json")
    loaded = splits.load_split(tmp_path / "run" / "split.json")
    assert loaded == split
    assert sorted(splits.split_paths(loaded, "train") + splits.split_paths(loaded, "test")) == sorted(paths)


def test_a_class_with_one_image_is_refused(tmp_path):
    paths = make_paths(tmp_path, classes=2, per_class=4)
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "only.jpg").write_bytes(b"")
    with pytest.raises(ValueError, match="at least 2 images"):
        splits.split_image_folder(paths + [str(lonely / "only.jpg")], tmp_path)


def test_one_class_folder_is_refused(tmp_path):
    paths = make_paths(tmp_path, classes=1)
    with pytest.raises(ValueError, match="at least 2 class folders"):
        splits.split_image_folder(paths, tmp_path)


def test_missing_split_file_names_the_path(tmp_path):
    with pytest.raises(ValueError, match="split.json"):
        splits.load_split(tmp_path / "split.json")


def image_paths(root, per_class):
    paths = []
    for name, count in per_class.items():
        for index in range(count):
            paths.append(str(root / name / f"{index}.png"))
    return paths


def test_stratified_kfold_tests_every_image_once_and_is_seeded(tmp_path):
    paths = image_paths(tmp_path, {"a": 5, "b": 10, "c": 5})

    folds = splits.stratified_kfold_splits(paths, tmp_path, 5, seed=7)

    assert [fold["fold"] for fold in folds] == [1, 2, 3, 4, 5]
    tested = [path for fold in folds for path in fold["test"]]
    assert sorted(tested) == sorted(os.path.relpath(path, tmp_path) for path in paths)
    for fold in folds:
        assert not set(fold["train"]) & set(fold["test"])
        assert len(fold["train"]) + len(fold["test"]) == 20
        # Stratified: 1 of 5 "a", 2 of 10 "b", 1 of 5 "c" in every test fold.
        assert sorted(path.split("/")[0] for path in fold["test"]) == ["a", "b", "b", "c"]
        assert fold["class_names"] == ["a", "b", "c"] and fold["folds"] == 5
    assert splits.stratified_kfold_splits(paths, tmp_path, 5, seed=7) == folds
    assert splits.stratified_kfold_splits(paths, tmp_path, 5, seed=8) != folds


def test_stratified_kfold_refuses_too_few_images_per_class(tmp_path):
    paths = image_paths(tmp_path, {"a": 2, "b": 6})

    with pytest.raises(ValueError, match="at least 3 images each. Received: images per class="):
        splits.stratified_kfold_splits(paths, tmp_path, 3)
    with pytest.raises(ValueError, match="Received: folds=1"):
        splits.stratified_kfold_splits(paths, tmp_path, 1)


def _class_paths(root, per_class, classes=("cat", "dog")):
    """The sorted paths `imagefiles.list_images` gives for `per_class` JPEGs per class folder."""
    return sorted(str(root / name / f"{index}.jpg") for name in classes for index in range(per_class))


def test_train_val_test_split_depends_on_the_seed(tmp_path):
    paths = _class_paths(tmp_path / "images", per_class=12)
    labels = np.array([pathlib.Path(path).parent.name == "dog" for path in paths], int)
    other_seed = splits.split_train_val_test(paths, labels, seed=8)
    same_seed = splits.split_train_val_test(paths, labels, seed=7)
    assert other_seed["train"][0] != same_seed["train"][0]


def test_train_val_test_split_is_the_builders_recorded_split():
    # Recorded from io.builder.split_paths before it moved here: the same paths, labels and
    # seed must keep giving the same HDF5 files.
    paths = [f"/images/{name}/{index}.jpg" for name in ("cat", "dog") for index in range(6)]
    labels = np.array([0] * 6 + [1] * 6)

    parts = splits.split_train_val_test(paths, labels, val_size=2, test_size=0.25, seed=3)

    assert list(parts) == ["train", "val", "test"]
    expected = {
        "train": (["dog/3", "dog/4", "cat/5", "dog/1", "dog/5", "cat/3", "cat/4"], [1, 1, 0, 1, 1, 0, 0]),
        "val": (["dog/2", "cat/2"], [1, 0]),
        "test": (["cat/1", "cat/0", "dog/0"], [0, 0, 1]),
    }
    for part, (names, part_labels) in expected.items():
        assert parts[part][0] == [f"/images/{name}.jpg" for name in names]
        assert parts[part][1].tolist() == part_labels


def test_train_val_test_split_leaves_out_empty_parts_and_checks_sizes():
    paths = [f"/images/{name}/{index}.jpg" for name in ("cat", "dog") for index in range(6)]
    labels = np.array([0] * 6 + [1] * 6)
    assert list(splits.split_train_val_test(paths, labels, val_size=0, test_size=4)) == ["train", "test"]
    with pytest.raises(ValueError, match=r"none to train on\. Received: val_size=0\.5, test_size=0\.5"):
        splits.split_train_val_test(paths, labels, val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match=r"stratified test split of 1 images.*Received: images per class=\[6, 6\]"):
        splits.split_train_val_test(paths, labels, val_size=0, test_size=1)
    for keywords, received in (({"val_size": True}, "val_size=True"), ({"test_size": -1}, "test_size=-1"),
                               ({"test_size": 1.0}, "test_size=1.0"), ({"val_size": "0.1"}, "val_size='0.1'")):
        with pytest.raises(ValueError, match=f"Received: {received}$"):
            splits.split_train_val_test(paths, labels, **keywords)


def test_stratified_split_refuses_what_it_cannot_stratify():
    paths = [f"/images/class_{label}/{index}.jpg" for label in range(3) for index in range(4)]
    labels = np.repeat(np.arange(3), 4)
    # 0.1 of 12 images is 2 test images, too few for one of each of the 3 classes.
    with pytest.raises(ValueError, match=r"stratified test split of 0\.1 of the images.*Received: images per class=\[4, 4, 4\]"):
        splits.stratified_split(paths, labels, test_size=0.1)
    for test_size in (0, 1, True, "0.25", float("nan")):
        with pytest.raises(ValueError, match=rf"Received: test_size={test_size!r}$"):
            splits.stratified_split(paths, labels, test_size=test_size)


def test_the_dataset_root_is_saved_absolute(tmp_path, monkeypatch):
    paths = make_paths(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    relative_paths = [os.path.relpath(path, tmp_path) for path in paths]
    split = splits.split_image_folder(relative_paths, "data", seed=1)
    assert split["dataset_root"] == str(tmp_path / "data")
    assert split["test"][0].startswith("class_")  # still relative to the root
    monkeypatch.chdir("/")
    assert all(os.path.isfile(path) for path in splits.split_paths(split, "test"))
