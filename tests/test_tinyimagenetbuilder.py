"""The three Tiny ImageNet HDF5 files: val held out of train per class, test from val, the train mean."""

import json

import numpy as np
import pytest

from pyimagesearch.datasets import synthetictinyimagenet, tinyimagenet
from pyimagesearch.io import builder, hdf5format, tinyimagenetbuilder
from pyimagesearch.preprocessing import MeanPreprocessor
from pyimagesearch.training import heldout

CLASSES, TRAIN_PER_CLASS, VAL_IMAGES_PER_CLASS, HELD_OUT = 3, 6, 2, 2


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    return synthetictinyimagenet.generate_synthetic_tiny_imagenet(
        tmp_path_factory.mktemp("tiny") / "synthetic-tiny-imagenet", classes=CLASSES,
        train_per_class=TRAIN_PER_CLASS, val_per_class=VAL_IMAGES_PER_CLASS, verbose=False,
    )


def _read(path):
    with hdf5format.open_dataset_file(path) as handle:
        return handle["images"][...], handle["labels"][...]


def test_the_three_files_hold_the_course_splits(stand_in, tmp_path):
    output = tmp_path / "tiny-hdf5"

    result = tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, output, val_per_class=HELD_OUT, workers=1,
                                                          progress=False)

    heldout.check_hdf5_splits(output)
    heldout.check_hdf5_folder(output, 64)
    assert result["counts"] == {"train": CLASSES * (TRAIN_PER_CLASS - HELD_OUT), "val": CLASSES * HELD_OUT,
                                "test": CLASSES * VAL_IMAGES_PER_CLASS}
    for split, per_class in (("train", TRAIN_PER_CLASS - HELD_OUT), ("val", HELD_OUT), ("test", VAL_IMAGES_PER_CLASS)):
        images, labels = _read(output / f"{split}.hdf5")
        assert images.shape[1:] == (64, 64, 3) and images.dtype == np.uint8
        assert np.bincount(labels).tolist() == [per_class] * CLASSES  # stratified
    info = hdf5format.read_dataset_info(output / "test.hdf5")
    parts = tinyimagenet.load_tiny_imagenet_splits(stand_in, val_per_class=HELD_OUT)
    assert info["label_names"] == parts["class_names"] == result["label_names"]
    assert (output / "classes.tsv").read_text(encoding="utf-8").splitlines()[1] == f"0\t{parts['wnids'][0]}\t{parts['class_names'][0]}"


def test_the_mean_comes_from_the_training_split_only(stand_in, tmp_path):
    output = tmp_path / "tiny-hdf5"
    result = tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, output, val_per_class=HELD_OUT, workers=1,
                                                          progress=False)

    train_images, _ = _read(output / "train.hdf5")
    blue, green, red = train_images.reshape(-1, 3).mean(axis=0)
    assert result["mean"] == pytest.approx({"R": red, "G": green, "B": blue})
    everything = np.concatenate([_read(output / f"{split}.hdf5")[0] for split in ("train", "val", "test")])
    assert not np.allclose(everything.reshape(-1, 3).mean(axis=0), [blue, green, red])
    for split in ("train", "val", "test"):
        assert hdf5format.read_mean(output / f"{split}.hdf5") == pytest.approx(result["mean"])
    assert json.loads((output / "tiny-hdf5_mean.json").read_text(encoding="utf-8")) == pytest.approx(result["mean"])
    assert MeanPreprocessor.from_json(output / "tiny-hdf5_mean.json").r_mean == pytest.approx(red)
    assert heldout.mean_preprocessor(output).b_mean == pytest.approx(blue)


def test_val_and_test_hold_the_right_images(stand_in, tmp_path):
    output = tmp_path / "tiny-hdf5"
    tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, output, val_per_class=HELD_OUT, seed=7, workers=1,
                                                 progress=False)
    parts = tinyimagenet.load_tiny_imagenet_splits(stand_in, val_per_class=HELD_OUT, seed=7)

    import cv2

    def fingerprints(paths):
        return sorted(cv2.imread(path).tobytes() for path in paths)

    for split in ("val", "test"):
        images, _ = _read(output / f"{split}.hdf5")
        assert sorted(image.tobytes() for image in images) == fingerprints(parts[split][0])


def test_an_existing_output_is_kept_and_a_failed_build_leaves_nothing(stand_in, tmp_path, monkeypatch):
    output = tmp_path / "tiny-hdf5"
    output.mkdir()
    with pytest.raises(FileExistsError, match=r"overwrite=True"):
        tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, output, val_per_class=HELD_OUT, progress=False)
    output.rmdir()
    # A build killed earlier left its hidden folder; a build that fails before the commit leaves nothing.
    stale = tmp_path / ".tiny-hdf5.partial-999999999-abcd"
    stale.mkdir()

    def fail(*arguments):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(builder, "_commit", fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, output, val_per_class=HELD_OUT, workers=1, progress=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == []

    monkeypatch.undo()
    result = tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, output, val_per_class=HELD_OUT, workers=2,
                                                          progress=False)
    assert sorted(result["files"]) == ["test", "train", "val"]
