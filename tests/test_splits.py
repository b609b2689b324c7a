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
