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
    assert catalog.catalog_names() == ["digits", "dogs-vs-cats", "flowers17", "synthetic-flowers17"]
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
