"""CIFAR-10's binary batches: records read back exactly (BGR), bad files refused, the catalog download.

The download tests serve a small cifar-10-binary.tar.gz (the real member names, 2 records per
batch, plus members CIFAR-10 does not need) from a local server through the mirror variable.
"""

import hashlib
import io
import tarfile

import numpy as np
import pytest

from pyimagesearch.datasets import catalog, cifar10, download
from tests import datasetserver

RECORDS_PER_BATCH = 2
NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _record(label, red, green, blue):
    """One 3,073-byte record from three (32, 32) planes."""
    return bytes([label]) + np.stack([red, green, blue]).astype(np.uint8).tobytes()


def _random_records(seed, count):
    rng = np.random.default_rng(seed)
    planes = rng.integers(0, 256, size=(count, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=count)
    return planes, labels, b"".join(_record(int(label), *plane) for label, plane in zip(labels, planes))


def _batches(seed=0):
    """{member name: bytes} for the 6 batch files, and the (planes, labels) written into each."""
    contents, written = {}, {}
    for index, name in enumerate(cifar10.TRAIN_BATCHES + (cifar10.TEST_BATCH,)):
        planes, labels, data = _random_records(seed + index, RECORDS_PER_BATCH)
        contents[f"{cifar10.BATCHES_FOLDER}/{name}"] = data
        written[name] = (planes, labels)
    contents[f"{cifar10.BATCHES_FOLDER}/{cifar10.META_FILE}"] = ("\n".join(NAMES) + "\n\n").encode()
    return contents, written


def _expected_bgr(planes):
    red, green, blue = planes[:, 0], planes[:, 1], planes[:, 2]
    return np.stack([blue, green, red], axis=-1)


def _make_tarball(path, contents, extra=()):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in list(contents.items()) + list(extra):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return hashlib.md5(path.read_bytes()).hexdigest()


def _write_folder(folder, contents):
    for name, data in contents.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def test_a_pure_red_record_is_read_as_bgr(tmp_path):
    red = np.full((32, 32), 255)
    zero = np.zeros((32, 32))
    path = tmp_path / "red.bin"
    path.write_bytes(_record(3, red, zero, zero))

    images, labels = cifar10.read_batch_file(path)

    assert images.shape == (1, 32, 32, 3) and images.dtype == np.uint8
    assert labels.tolist() == [3] and labels.dtype == np.int64
    # BGR: red is the last channel, as OpenCV and every decoded image of the package have it.
    assert (images[0] == [0, 0, 255]).all()


def test_records_read_back_exactly_row_major(tmp_path):
    planes, labels, data = _random_records(7, 3)
    path = tmp_path / "batch.bin"
    path.write_bytes(data)

    images, read_labels = cifar10.read_batch_file(path)

    assert np.array_equal(images, _expected_bgr(planes))
    assert read_labels.tolist() == labels.tolist()
    # Row-major: byte 1 + 32 of the red plane is row 1, column 0.
    assert images[0, 1, 0, 2] == data[1 + 32]


def test_write_batch_file_is_the_inverse_of_reading(tmp_path):
    images = np.random.default_rng(1).integers(0, 256, size=(4, 32, 32, 3), dtype=np.uint8)
    labels = np.array([9, 0, 5, 1])

    path = cifar10.write_batch_file(tmp_path / "batch.bin", images, labels)

    assert path.stat().st_size == 4 * cifar10.RECORD_BYTES
    read_images, read_labels = cifar10.read_batch_file(path)
    assert np.array_equal(read_images, images) and read_labels.tolist() == labels.tolist()


@pytest.mark.parametrize("size", [0, 3072, 3074, 2 * 3073 + 1])
def test_a_file_that_is_not_whole_records_is_refused_naming_it(tmp_path, size):
    path = tmp_path / "broken_batch.bin"
    path.write_bytes(bytes(size))

    with pytest.raises(ValueError, match=r"broken_batch\.bin.*multiple of the 3,073-byte record"):
        cifar10.read_batch_file(path)


def test_a_label_out_of_range_is_refused_naming_the_file_and_record(tmp_path):
    zero = np.zeros((32, 32))
    path = tmp_path / "labels_batch.bin"
    path.write_bytes(_record(1, zero, zero, zero) + _record(10, zero, zero, zero))

    with pytest.raises(ValueError, match=r"labels_batch\.bin: record 1 has label 10"):
        cifar10.read_batch_file(path)


def test_batches_meta_needs_ten_distinct_names(tmp_path):
    path = tmp_path / "batches.meta.txt"
    path.write_text("cat\ndog\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"batches\.meta\.txt should list 10 distinct class names"):
        cifar10.read_class_names(path)


def test_load_cifar10_from_a_folder_or_the_batches_folder_itself(tmp_path):
    contents, written = _batches()
    _write_folder(tmp_path / "mine", contents)

    for given in (tmp_path / "mine", tmp_path / "mine" / cifar10.BATCHES_FOLDER, str(tmp_path / "mine")):
        data = cifar10.load_cifar10(given)
        assert data.class_names == NAMES
        assert data.train_images.shape == (5 * RECORDS_PER_BATCH, 32, 32, 3)
        train_planes = np.concatenate([written[name][0] for name in cifar10.TRAIN_BATCHES])
        assert np.array_equal(data.train_images, _expected_bgr(train_planes))
        assert data.train_labels.tolist() == np.concatenate([written[name][1] for name in cifar10.TRAIN_BATCHES]).tolist()
        assert np.array_equal(data.test_images, _expected_bgr(written[cifar10.TEST_BATCH][0]))
        assert data.test_labels.dtype == np.int64


def test_a_folder_without_the_batch_files_is_refused_naming_what_is_missing(tmp_path):
    contents, _ = _batches()
    del contents[f"{cifar10.BATCHES_FOLDER}/data_batch_3.bin"]
    _write_folder(tmp_path, contents)

    with pytest.raises(FileNotFoundError, match=r"lacks data_batch_3\.bin"):
        cifar10.load_cifar10(tmp_path)


def test_the_catalog_downloads_through_the_mirror_and_extracts_only_the_expected_members(tmp_path, monkeypatch, capsys):
    contents, written = _batches()
    served = datasetserver.new_folder(tmp_path / "served")
    unexpected = [
        (f"{cifar10.BATCHES_FOLDER}/readme.html", b"<html>the real archive holds this</html>"),
        ("../outside.txt", b"never written anywhere"),
    ]
    md5 = _make_tarball(served / "cifar-10-binary.tar.gz", contents, unexpected)
    root = tmp_path / "datasets"
    entry = catalog.cifar10_entry(md5=md5, size=None)

    with datasetserver.mirror(monkeypatch, served):
        data = cifar10.load_cifar10(entry, datasets_root=root)

    assert datasetserver.all_files(root / "cifar10") == [cifar10.BATCHES_FOLDER] + sorted(cifar10.MEMBERS)
    assert not (tmp_path / "outside.txt").exists() and not (root / "outside.txt").exists()
    assert "left out 2 member(s)" in capsys.readouterr().out
    assert data.class_names == NAMES
    assert np.array_equal(data.test_images, _expected_bgr(written[cifar10.TEST_BATCH][0]))
    # Prepared once: the second call reads the folder without the network.
    monkeypatch.setenv(catalog.MIRROR_VARIABLE, f"http://127.0.0.1:{datasetserver.closed_port()}")
    assert cifar10.load_cifar10(entry, datasets_root=root).class_names == NAMES


def test_a_wrong_checksum_is_refused_and_leaves_nothing(tmp_path, monkeypatch):
    contents, _ = _batches()
    served = datasetserver.new_folder(tmp_path / "served")
    _make_tarball(served / "cifar-10-binary.tar.gz", contents)
    root = tmp_path / "datasets"

    # The real entry: its md5 and size are CIFAR-10's, which the small archive does not have.
    with datasetserver.mirror(monkeypatch, served):
        with pytest.raises(download.DatasetDownloadError) as caught:
            cifar10.load_cifar10("cifar10", datasets_root=root, verbose=False)

    assert isinstance(caught.value.__cause__, download.ChecksumMismatchError)
    assert "synthetic-cifar10" in str(caught.value)
    assert datasetserver.all_files(root) == []


def test_an_archive_missing_a_batch_is_refused(tmp_path, monkeypatch):
    contents, _ = _batches()
    del contents[f"{cifar10.BATCHES_FOLDER}/test_batch.bin"]
    served = datasetserver.new_folder(tmp_path / "served")
    md5 = _make_tarball(served / "cifar-10-binary.tar.gz", contents)
    root = tmp_path / "datasets"

    with datasetserver.mirror(monkeypatch, served):
        with pytest.raises(download.DatasetDownloadError, match=r"lacks cifar-10-batches-bin/test_batch\.bin"):
            cifar10.load_cifar10(catalog.cifar10_entry(md5=md5, size=None), datasets_root=root, verbose=False)
    assert not (root / "cifar10").exists()


def test_no_network_suggests_the_synthetic_stand_in(tmp_path, monkeypatch):
    monkeypatch.setenv(catalog.MIRROR_VARIABLE, f"http://127.0.0.1:{datasetserver.closed_port()}")

    with pytest.raises(download.DatasetDownloadError, match=r"--dataset synthetic-cifar10"):
        cifar10.load_cifar10("cifar10", datasets_root=tmp_path, verbose=False)
