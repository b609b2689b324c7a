"""Tiny ImageNet's splits: val held out of train per class, test from val_annotations.txt, the download.

`_make_layout` writes a tiny extracted Tiny ImageNet (3 classes x 4 training images, 2 val
images each); `_make_zip` packs it under tiny-imagenet-200/ as the real archive does.
"""

import hashlib
import pathlib
import zipfile

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import catalog, download, tinyimagenet
from tests import datasetserver

# Not in sorted order on purpose, as in the real wnids.txt.
WNIDS = ("n03126707", "n02012849", "n01443537")
WORDS = {
    "n01443537": "goldfish, Carassius auratus",
    "n02012849": "crane",
    "n03126707": "crane",  # the machine: the same first name as the bird
}
TRAIN_PER_CLASS = 4
VAL_PER_CLASS = 2


def _jpeg(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((64, 64, 3), value, np.uint8))


def _make_layout(root):
    """Writes the layout; returns {val file name: wnid} as annotated."""
    for index, wnid in enumerate(WNIDS):
        for number in range(TRAIN_PER_CLASS):
            _jpeg(root / "train" / wnid / "images" / f"{wnid}_{number}.JPEG", 10 * index + number)
        (root / "train" / wnid / f"{wnid}_boxes.txt").write_text("boxes\n", encoding="utf-8")
    annotations = {}
    for number in range(VAL_PER_CLASS * len(WNIDS)):
        wnid = WNIDS[number % len(WNIDS)]
        annotations[f"val_{number}.JPEG"] = wnid
        _jpeg(root / "val" / "images" / f"val_{number}.JPEG", 100 + number)
    (root / "val" / "val_annotations.txt").write_text(
        "".join(f"{name}\t{wnid}\t0\t1\t62\t63\n" for name, wnid in annotations.items()), encoding="utf-8"
    )
    _jpeg(root / "test" / "images" / "test_0.JPEG", 200)
    (root / "wnids.txt").write_text("".join(f"{wnid}\n" for wnid in WNIDS), encoding="utf-8")
    words = dict(WORDS, n00000001="entity", n99999999="not in this dataset")
    (root / "words.txt").write_text("".join(f"{wnid}\t{names}\n" for wnid, names in words.items()), encoding="utf-8")
    return annotations


def _make_zip(path, layout_root):
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(layout_root.rglob("*")):
            if file.is_file():
                archive.write(file, "tiny-imagenet-200/" + file.relative_to(layout_root).as_posix())
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_the_splits_follow_the_course(tmp_path):
    annotations = _make_layout(tmp_path)

    parts = tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=1, seed=3)

    assert parts["wnids"] == sorted(WNIDS)
    # First names from words.txt; the two cranes keep their wnid to stay distinct.
    assert parts["class_names"] == ["goldfish", "crane (n02012849)", "crane (n03126707)"]
    train_paths, train_labels = parts["train"]
    val_paths, val_labels = parts["val"]
    assert sorted(val_labels.tolist()) == [0, 1, 2]  # one per class
    assert len(train_paths) == 3 * (TRAIN_PER_CLASS - 1) and not set(train_paths) & set(val_paths)
    everything = sorted(str(path) for path in (tmp_path / "train").rglob("*.JPEG"))
    assert sorted(train_paths + val_paths) == everything
    for path, label in zip(train_paths + val_paths, train_labels.tolist() + val_labels.tolist()):
        assert pathlib.Path(path).parent.parent.name == parts["wnids"][label]
    test_paths, test_labels = parts["test"]
    assert [pathlib.Path(path).name for path in test_paths] == list(annotations)
    assert [parts["wnids"][label] for label in test_labels] == list(annotations.values())
    assert train_labels.dtype == np.int64 and test_labels.dtype == np.int64


def test_the_held_out_images_depend_on_the_seed_only(tmp_path):
    _make_layout(tmp_path)
    first = tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=2, seed=5)
    again = tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=2, seed=5)
    assert first["val"][0] == again["val"][0]
    others = [tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=2, seed=seed)["val"][0] for seed in range(6)]
    assert len({tuple(paths) for paths in others}) > 1


def test_val_per_class_zero_holds_nothing_out(tmp_path):
    _make_layout(tmp_path)
    parts = tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=0)
    assert parts["val"][0] == [] and len(parts["train"][0]) == 3 * TRAIN_PER_CLASS


def test_an_unknown_wnid_in_the_annotations_names_the_file_and_line(tmp_path):
    _make_layout(tmp_path)
    path = tmp_path / "val" / "val_annotations.txt"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(WNIDS[2], "n12345678")
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(ValueError, match=r"val_annotations\.txt, line 3: wnid 'n12345678' is not listed in .*wnids\.txt"):
        tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=1)


def test_a_missing_val_image_names_the_file_and_line(tmp_path):
    _make_layout(tmp_path)
    (tmp_path / "val" / "images" / "val_4.JPEG").unlink()

    with pytest.raises(FileNotFoundError, match=r"val_annotations\.txt, line 5: the image .*val_4\.JPEG does not exist"):
        tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=1)


@pytest.mark.parametrize("bad_line", ["val_0.JPEG\n", "../escape.JPEG\tn01443537\t0\t0\t1\t1\n"])
def test_a_malformed_annotation_line_is_refused(tmp_path, bad_line):
    _make_layout(tmp_path)
    path = tmp_path / "val" / "val_annotations.txt"
    path.write_text(path.read_text(encoding="utf-8") + bad_line, encoding="utf-8")

    with pytest.raises(ValueError, match=r"line 7: expected 'file<TAB>wnid"):
        tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=1)


def test_too_few_training_images_to_hold_out_is_refused(tmp_path):
    _make_layout(tmp_path)
    with pytest.raises(ValueError, match=r"Class n01443537 has 4 training images, too few to hold out 4"):
        tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=4)


def test_a_wnid_without_names_or_training_folder_is_refused(tmp_path):
    _make_layout(tmp_path)
    words = tmp_path / "words.txt"
    words.write_text(words.read_text(encoding="utf-8").replace("n01443537\t", "n0144353x\t"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"words\.txt has no 'wnid<TAB>names' line for n01443537"):
        tinyimagenet.load_tiny_imagenet_splits(tmp_path, val_per_class=1)


def test_a_folder_without_the_layout_is_refused(tmp_path):
    (tmp_path / "train").mkdir()
    with pytest.raises(FileNotFoundError, match=r"lacks val/val_annotations\.txt, wnids\.txt, words\.txt"):
        tinyimagenet.load_tiny_imagenet_splits(tmp_path)


def test_the_catalog_downloads_the_zip_through_the_mirror(tmp_path, monkeypatch):
    layout = tmp_path / "layout"
    annotations = _make_layout(layout)
    served = datasetserver.new_folder(tmp_path / "served")
    md5 = _make_zip(served / "tiny-imagenet-200.zip", layout)
    root = tmp_path / "datasets"

    with datasetserver.mirror(monkeypatch, served):
        parts = tinyimagenet.load_tiny_imagenet_splits(catalog.tiny_imagenet_entry(md5=md5), root, val_per_class=1)

    folder = root / "tiny-imagenet-200"
    assert sorted(path.name for path in folder.iterdir()) == ["test", "train", "val", "wnids.txt", "words.txt"]
    assert [parts["wnids"][label] for label in parts["test"][1]] == list(annotations.values())
    assert all(path.startswith(str(folder)) for path in parts["train"][0])


def test_a_wrong_checksum_is_refused_and_suggests_the_stand_in(tmp_path, monkeypatch):
    layout = tmp_path / "layout"
    _make_layout(layout)
    served = datasetserver.new_folder(tmp_path / "served")
    _make_zip(served / "tiny-imagenet-200.zip", layout)
    root = tmp_path / "datasets"

    with datasetserver.mirror(monkeypatch, served):
        with pytest.raises(download.DatasetDownloadError) as caught:
            tinyimagenet.load_tiny_imagenet_splits("tiny-imagenet-200", root, verbose=False)

    assert isinstance(caught.value.__cause__, download.ChecksumMismatchError)
    assert catalog.TINY_IMAGENET_MD5 in str(caught.value) and "--dataset synthetic-tiny-imagenet" in str(caught.value)
    assert datasetserver.all_files(root) == []


def test_an_archive_that_is_not_tiny_imagenet_is_refused(tmp_path, monkeypatch):
    served = datasetserver.new_folder(tmp_path / "served")
    with zipfile.ZipFile(served / "tiny-imagenet-200.zip", "w") as archive:
        archive.writestr("something/else.txt", "hello")
    md5 = hashlib.md5((served / "tiny-imagenet-200.zip").read_bytes()).hexdigest()

    with datasetserver.mirror(monkeypatch, served):
        with pytest.raises(download.DatasetDownloadError, match=r"not Tiny ImageNet"):
            catalog.resolve_dataset(catalog.tiny_imagenet_entry(md5=md5), tmp_path / "datasets", verbose=False)
    assert not (tmp_path / "datasets" / "tiny-imagenet-200").exists()
