"""training.heldout: HDF5 train, validation and test files must agree on their classes before training;
a CIFAR-10 run's test pipeline subtracts the run's own mean."""

import argparse
import json

import numpy as np
import pytest

from pyimagesearch.datasets import cifar10
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.training import heldout, runmean
from pyimagesearch.utils import errors
from tests import cifar10folders, hdf5testing


def _named_file(path, names, rows=6, size=8):
    with HDF5DatasetWriter((rows, size, size, 3), path) as writer:
        writer.store_class_labels(list(names))
        writer.add(np.zeros((rows, size, size, 3), np.uint8), np.arange(rows) % len(names))
    return path


def test_files_with_the_same_classes_pass(tmp_path):
    paths = [_named_file(tmp_path / f"{split}.hdf5", ["cat", "dog"]) for split in ("train", "val", "test")]
    heldout.check_same_classes(*paths)
    heldout.check_hdf5_splits(tmp_path)
    heldout.check_hdf5_folder(tmp_path, 8)


def test_the_same_count_with_other_names_is_refused_naming_both_files(tmp_path):
    train = _named_file(tmp_path / "train.hdf5", ["cat", "dog"])
    test = _named_file(tmp_path / "test.hdf5", ["cat", "emu"])
    with pytest.raises(errors.InvalidArgumentError) as caught:
        heldout.check_same_classes(train, test)
    message = str(caught.value)
    assert str(train) in message and str(test) in message
    assert "2 classes: 'cat', 'emu' against 2 classes: 'cat', 'dog'" in message
    with pytest.raises(errors.InvalidArgumentError, match="have different classes"):
        heldout.check_hdf5_folder(tmp_path, 8)  # minivgg's --hdf5 check


def test_a_validation_file_with_more_classes_is_refused(tmp_path):
    for split in ("train", "test"):
        _named_file(tmp_path / f"{split}.hdf5", ["cat", "dog"])
    val = _named_file(tmp_path / "val.hdf5", ["cat", "dog", "emu"])
    message = rf"{val} and .*train\.hdf5 have different classes \(3 classes"
    with pytest.raises(errors.InvalidArgumentError, match=message):
        heldout.check_hdf5_splits(tmp_path)
    with pytest.raises(errors.InvalidArgumentError, match="val.hdf5 and"):
        heldout.check_hdf5_folder(tmp_path, 8)  # val.hdf5 is checked when it is there


def test_files_without_names_compare_their_class_counts(tmp_path):
    hdf5testing.write_indexed_file(tmp_path / "train.hdf5", classes=3, label_names=False)
    hdf5testing.write_indexed_file(tmp_path / "test.hdf5", classes=2, label_names=False)
    with pytest.raises(errors.InvalidArgumentError, match="3 unnamed classes"):
        heldout.check_same_classes(tmp_path / "test.hdf5", tmp_path / "train.hdf5")


def test_a_missing_split_is_named(tmp_path):
    _named_file(tmp_path / "train.hdf5", ["cat", "dog"])
    _named_file(tmp_path / "test.hdf5", ["cat", "dog"])
    with pytest.raises(errors.InvalidArgumentError, match=r"val\.hdf5 is missing"):
        heldout.check_hdf5_splits(tmp_path)


def test_a_cifar10_runs_test_pipeline_subtracts_the_runs_own_mean(tmp_path):
    folder = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runmean.record_mean(run_dir, lambda: {"R": 30.0, "G": 20.0, "B": 10.0})
    dataset, labels, class_names = heldout.from_cifar10_run(run_dir, folder, batch_size=4, subtract_mean=True)
    data = cifar10.load_cifar10(folder)
    images = np.concatenate([np.asarray(batch) for batch, _ in dataset])
    assert images == pytest.approx((data.test_images - np.array([10.0, 20.0, 30.0])) / 255.0, abs=1e-6)
    assert labels.tolist() == data.test_labels.tolist() and class_names == cifar10.CLASS_NAMES
    unsubtracted, _, _ = heldout.from_cifar10_run(run_dir, folder, batch_size=4, subtract_mean=False)
    assert np.concatenate([np.asarray(batch) for batch, _ in unsubtracted]) == pytest.approx(data.test_images / 255.0)


def test_a_cifar10_run_without_its_mean_file_is_refused(tmp_path):
    folder = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10")
    with pytest.raises(errors.MissingFileError, match="No mean.json"):
        heldout.from_cifar10_run(tmp_path, folder, batch_size=4, subtract_mean=True)


def _new_run_arguments(output, **values):
    defaults = {"resume": None, "output": str(output), "run_id": "new", "epochs": 1, "learning_rate": 0.1,
                "from_epoch": None, "given_flags": []}
    return argparse.Namespace(**{**defaults, **values})


SPLIT = {"class_names": ["cat", "dog"], "train": ["a.png", "b.png", "c.png", "d.png"], "test": ["e.png", "f.png"],
         "dataset_root": "/d"}


def _loaded(split):
    images = {part: (np.zeros((len(split[part]), 4, 4, 3), np.float32), np.arange(len(split[part])) % 2)
              for part in ("train", "test")}
    return images, [("c.png", "not an image")]


def test_open_split_run_splits_and_loads_before_the_folder_exists_then_saves_split_json(tmp_path):
    seen = []

    def make_split():
        seen.append((tmp_path / "experiment" / "new").exists())
        return SPLIT

    run_dir, split, images = heldout.open_split_run(_new_run_arguments(tmp_path), "experiment", make_split, _loaded)
    assert seen == [False] and split == SPLIT and images["train"][0].shape == (4, 4, 4, 3)
    assert json.loads((run_dir / heldout.SPLIT_FILE).read_text()) == SPLIT
    assert (run_dir / "skipped.txt").read_text().startswith("skipped 1 of 6 images")


def test_a_split_that_fails_leaves_no_run_folder(tmp_path):
    def make_split():
        raise errors.InvalidArgumentError("no images. Received: nothing")

    with pytest.raises(errors.InvalidArgumentError):
        heldout.open_split_run(_new_run_arguments(tmp_path), "experiment", make_split, _loaded)
    assert not (tmp_path / "experiment" / "new").exists()


def test_a_resumed_split_run_reads_its_split_json_instead_of_splitting(tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / heldout.SPLIT_FILE).write_text(json.dumps(SPLIT))
    monkeypatch.setattr(heldout.runs, "open_run", lambda arguments, experiment: run_dir)
    arguments = _new_run_arguments(tmp_path, resume=str(run_dir))
    reopened, split, _ = heldout.open_split_run(arguments, "experiment", lambda: pytest.fail("split again"), _loaded)
    assert (reopened, split) == (run_dir, SPLIT)
    assert (run_dir / "skipped.txt").read_text().startswith("skipped 1 of 6 images")


def test_datasets_from_split_batches_the_loaded_parts_one_hot():
    images, _ = _loaded(SPLIT)
    train, test, test_labels, class_names = heldout.datasets_from_split(SPLIT, images, 4, batch_size=2, seed=0)
    assert class_names == ["cat", "dog"] and test_labels.tolist() == [0, 1]
    assert [tuple(labels.shape) for _, labels in train] == [(2, 2), (2, 2)]
    test_one_hot = np.concatenate([np.asarray(labels) for _, labels in test])
    assert test_one_hot.tolist() == [[1, 0], [0, 1]]
