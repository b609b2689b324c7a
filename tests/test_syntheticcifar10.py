"""The synthetic CIFAR-10 stand-in: the real binary layout, read by the CIFAR-10 reader."""

import numpy as np
import pytest

from pyimagesearch.datasets import catalog, cifar10, syntheticcifar10


def test_the_stand_in_has_the_real_layout_and_the_reader_reads_it(tmp_path):
    folder = syntheticcifar10.generate_synthetic_cifar10(tmp_path / "stand-in", train_images=23, test_images=10,
                                                         verbose=False)

    batches = folder / cifar10.BATCHES_FOLDER
    assert sorted(path.name for path in batches.iterdir()) == sorted(cifar10.TRAIN_BATCHES + (cifar10.TEST_BATCH, cifar10.META_FILE))
    # 23 training images over five files: 5, 5, 5, 4, 4.
    sizes = [(batches / name).stat().st_size // cifar10.RECORD_BYTES for name in cifar10.TRAIN_BATCHES]
    assert sizes == [5, 5, 5, 4, 4]
    assert "not CIFAR-10 photographs" in (folder / "SYNTHETIC.txt").read_text(encoding="utf-8")
    data = cifar10.load_cifar10(folder)
    assert data.train_images.shape == (23, 32, 32, 3) and data.test_images.shape == (10, 32, 32, 3)
    assert data.train_labels.tolist() == [index % 10 for index in range(23)]
    assert data.class_names == syntheticcifar10.class_names()
    assert all(name.startswith("synthetic_") for name in data.class_names)
    images, labels = syntheticcifar10.draw_split(42, "train", 23)
    assert np.array_equal(data.train_images, images) and data.train_labels.tolist() == labels.tolist()


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(tmp_path):
    paths = [
        syntheticcifar10.generate_synthetic_cifar10(tmp_path / name, seed=seed, train_images=5, test_images=2, verbose=False)
        / cifar10.BATCHES_FOLDER / cifar10.TEST_BATCH
        for name, seed in (("a", 1), ("b", 1), ("c", 2))
    ]
    assert paths[0].read_bytes() == paths[1].read_bytes() != paths[2].read_bytes()


def test_train_and_test_images_differ():
    train, _ = syntheticcifar10.draw_split(42, "train", 10)
    test, _ = syntheticcifar10.draw_split(42, "test", 10)
    assert not np.array_equal(train, test)


def test_the_catalog_name_generates_it_offline(tmp_path):
    entry = catalog.synthetic_cifar10_entry(train_images=10, test_images=10)

    data = cifar10.load_cifar10(entry, datasets_root=tmp_path, verbose=False)

    assert (tmp_path / "synthetic-cifar10-10-10" / cifar10.BATCHES_FOLDER / cifar10.TEST_BATCH).is_file()
    assert len(data.train_labels) == 10


@pytest.mark.parametrize(
    "arguments, pattern",
    [({"train_images": 4}, r"train_images"), ({"test_images": 0}, r"test_images"), ({"difficulty": 3}, r"difficulty")],
)
def test_bad_arguments_are_refused(tmp_path, arguments, pattern):
    with pytest.raises(ValueError, match=pattern):
        syntheticcifar10.generate_synthetic_cifar10(tmp_path / "x", verbose=False, **arguments)
    assert not (tmp_path / "x").exists()


def test_an_existing_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("mine")
    with pytest.raises(ValueError, match=r"new \(or empty\) folder"):
        syntheticcifar10.generate_synthetic_cifar10(tmp_path / "x", verbose=False)
