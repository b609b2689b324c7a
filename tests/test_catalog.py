"""resolve_dataset: folders as is, catalog names to <root>/<name>, offline entries generated.

The download path (Flowers-17, Dogs vs. Cats against a local server) is in test_download.py.
"""

import os
import pathlib

import pytest

from pyimagesearch.datasets import catalog
from pyimagesearch.datasets import download


def test_an_existing_folder_is_returned_as_is(tmp_path):
    folder = tmp_path / "my images"
    (folder / "cat").mkdir(parents=True)

    assert catalog.resolve_dataset(folder) == folder
    assert catalog.resolve_dataset(str(folder)) == folder


def test_an_unknown_name_lists_the_catalog_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as caught:
        catalog.resolve_dataset("flowers-17")

    message = str(caught.value)
    for name in ("flowers17", "dogs-vs-cats", "synthetic-flowers17", "digits"):
        assert name in message
    assert message.endswith("Received: name_or_path='flowers-17'")


def test_a_file_is_not_a_dataset_folder(tmp_path):
    path = tmp_path / "image.jpg"
    path.write_bytes(b"x")
    with pytest.raises(ValueError, match=r"a file, not a folder.*Received: name_or_path="):
        catalog.resolve_dataset(path)


def test_a_wrong_type_is_refused():
    with pytest.raises(ValueError, match=r"Received: name_or_path=42"):
        catalog.resolve_dataset(42)


def test_datasets_root_defaults_to_the_environment_variable_or_a_relative_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(catalog.ENVIRONMENT_VARIABLE, raising=False)
    assert catalog.default_datasets_root() == pathlib.Path("datasets")
    assert not catalog.default_datasets_root().is_absolute()

    monkeypatch.setenv(catalog.ENVIRONMENT_VARIABLE, str(tmp_path / "elsewhere"))
    assert catalog.default_datasets_root() == tmp_path / "elsewhere"


def test_digits_is_generated_offline_under_the_root_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv(catalog.ENVIRONMENT_VARIABLE, str(tmp_path / "root"))

    folder = catalog.resolve_dataset("digits", verbose=False)

    assert folder == tmp_path / "root" / "digits"
    assert sorted(path.name for path in folder.iterdir()) == [str(digit) for digit in range(10)]
    marker = folder / "0" / "0000.png"
    before = marker.stat().st_mtime_ns
    assert catalog.resolve_dataset("digits", verbose=False) == folder
    assert marker.stat().st_mtime_ns == before


def test_the_relative_default_root_is_used_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(catalog.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)

    folder = catalog.resolve_dataset("digits", verbose=False)

    assert folder == pathlib.Path("datasets") / "digits"
    assert (tmp_path / "datasets" / "digits" / "9").is_dir()


def test_synthetic_entry_generates_the_flowers17_layout(tmp_path):
    entry = catalog.synthetic_flowers17_entry(images_per_class=1)

    folder = catalog.resolve_dataset(entry, datasets_root=tmp_path, verbose=False)

    assert folder == tmp_path / "synthetic-flowers17"
    classes = sorted(path.name for path in folder.iterdir())
    assert len(classes) == 17 and all(name.startswith("synthetic_") for name in classes)
    assert sum(1 for _ in folder.rglob("*.jpg")) == 17
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []


def test_the_catalog_holds_the_documented_entries():
    assert catalog.catalog_names() == [
        "cifar10", "digits", "dogs-vs-cats", "flowers17", "mnist", "synthetic-cifar10", "synthetic-flowers17",
        "synthetic-tiny-imagenet", "tiny-imagenet-200",
    ]
    flowers = catalog.CATALOG["flowers17"]
    assert flowers.url == catalog.FLOWERS17_URL and flowers.sha256 == catalog.FLOWERS17_SHA256
    assert flowers.filename == "17flowers.tgz"
    assert len(catalog.FLOWERS17_CLASSES) == 17 and catalog.FLOWERS17_CLASSES[0] == "Daffodil"
    pets = catalog.CATALOG["dogs-vs-cats"]
    assert pets.size == 824_887_076 and pets.sha256 is None and pets.record_sha256
    assert catalog.CATALOG["digits"].url is None and catalog.CATALOG["synthetic-flowers17"].url is None


def test_an_existing_folder_without_class_folders_is_not_taken_for_the_dataset(tmp_path):
    (tmp_path / "digits").mkdir()

    with pytest.raises(ValueError, match=r"holds no class folders.*Delete it"):
        catalog.resolve_dataset("digits", datasets_root=tmp_path, verbose=False)


def test_entries_need_exactly_one_source():
    with pytest.raises(ValueError, match=r"either `url`.*Received:"):
        catalog.DatasetEntry(name="x", description="neither")
    with pytest.raises(ValueError, match=r"needs `filename` and `arrange`.*Received:"):
        catalog.DatasetEntry(name="x", description="no arrange", url="http://127.0.0.1/x.tgz", sha256="0" * 64)
    with pytest.raises(ValueError, match=r"sha256, md5 or size.*Received:"):
        catalog.DatasetEntry(name="x", description="unverified", url="http://127.0.0.1/x.tgz",
                             filename="x.tgz", arrange=catalog.arrange_flowers17)


def test_arrange_flowers17_refuses_an_archive_without_the_images(tmp_path):
    (tmp_path / "jpg").mkdir()
    (tmp_path / "jpg" / "image_0001.jpg").write_bytes(b"x")

    with pytest.raises(download.DatasetDownloadError, match=r"Expected exactly 17 images"):
        catalog.arrange_flowers17(tmp_path, tmp_path / "out", images_per_class=1)


def test_the_cifar10_tiny_imagenet_and_mnist_entries_cite_the_published_facts():
    cifar = catalog.CATALOG["cifar10"]
    assert cifar.url == "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    assert cifar.md5 == "c32a1d4ab5d03f1284b67883e8d87530" and cifar.size == 170_052_171
    assert cifar.filename == "cifar-10-binary.tar.gz"
    tiny = catalog.CATALOG["tiny-imagenet-200"]
    assert tiny.url == "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
    assert tiny.md5 == "90528d7ca1a48142e341f4ef8d21d0de" and tiny.filename == "tiny-imagenet-200.zip"
    digits_file = catalog.CATALOG["mnist"]
    assert digits_file.url == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert digits_file.sha256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    for name, alternative in (("cifar10", "synthetic-cifar10"), ("tiny-imagenet-200", "synthetic-tiny-imagenet"),
                              ("mnist", "digits")):
        assert f"--dataset {alternative}" in catalog.CATALOG[name].offline_alternative
    assert catalog.CATALOG["synthetic-cifar10"].url is None
    assert catalog.CATALOG["synthetic-tiny-imagenet"].url is None


@pytest.mark.parametrize("name", ["cifar10", "synthetic-cifar10", "tiny-imagenet-200", "mnist"])
def test_an_existing_folder_lacking_the_dataset_files_is_not_taken_for_the_dataset(tmp_path, name):
    # A class folder would satisfy the flowers rule; these entries name the files they need.
    (tmp_path / name / "something").mkdir(parents=True)

    with pytest.raises(ValueError, match=r"exists but lacks .*Delete it"):
        catalog.resolve_dataset(name, datasets_root=tmp_path, verbose=False)


def test_stand_ins_of_other_sizes_get_their_own_folder():
    assert catalog.synthetic_cifar10_entry().name == "synthetic-cifar10"
    assert catalog.synthetic_cifar10_entry(train_images=50000, test_images=10000).name == "synthetic-cifar10-50000-10000"
    assert catalog.synthetic_tiny_imagenet_entry().name == "synthetic-tiny-imagenet"
    assert catalog.synthetic_tiny_imagenet_entry(classes=200, train_per_class=500, val_per_class=50).name == (
        "synthetic-tiny-imagenet-200-500-50"
    )


def test_the_test_servers_mirror_variable_is_the_catalogs():
    from tests import datasetserver

    assert datasetserver.MIRROR_VARIABLE == catalog.MIRROR_VARIABLE
