"""CIFAR-10 from the authors' binary version: batch files read into uint8 arrays, no unpickling.

    data = load_cifar10("cifar10")             # datasets/cifar10, downloaded on first use
    data = load_cifar10("synthetic-cifar10")   # the generated stand-in, same format, offline
    data = load_cifar10("path/to/folder")      # a folder holding cifar-10-batches-bin/
    data.train_images.shape                     # (50000, 32, 32, 3) uint8 BGR

The binary version (`cifar-10-binary.tar.gz`) holds `cifar-10-batches-bin/data_batch_1.bin` ..
`data_batch_5.bin` and `test_batch.bin`, each a run of 3,073-byte records (1 label byte, then
1,024 red, 1,024 green and 1,024 blue bytes, each plane row-major 32x32), and
`batches.meta.txt` with the class names, one per line. Unlike the Python version (which
`keras.datasets.cifar10` downloads) it needs no `pickle.load` of downloaded data.

Images are returned in **BGR** channel order, like every decoded image in this package
(OpenCV's order, see `imagefiles.read_image` and the HDF5 files' `channel_order`), so CIFAR-10
arrays go through the same preprocessors and mean files as images read from disk.
"""

import dataclasses
import os
import pathlib
import tarfile

import numpy as np

from pyimagesearch.datasets import download as download_module
from pyimagesearch.utils import atomic, errors

BATCHES_FOLDER = "cifar-10-batches-bin"
TRAIN_BATCHES = tuple(f"data_batch_{number}.bin" for number in range(1, 6))
TEST_BATCH = "test_batch.bin"
META_FILE = "batches.meta.txt"
# The archive members the catalog extracts; every other member (the real archive also holds
# readme.html) is neither read nor written.
MEMBERS = tuple(f"{BATCHES_FOLDER}/{name}" for name in TRAIN_BATCHES + (TEST_BATCH, META_FILE))
IMAGE_SIZE = 32
CHANNELS = 3
RECORD_BYTES = 1 + CHANNELS * IMAGE_SIZE * IMAGE_SIZE  # 3,073
NUM_CLASSES = 10
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


@dataclasses.dataclass(frozen=True)
class Cifar10Data:
    """The CIFAR-10 splits: images (N, 32, 32, 3) uint8 **BGR**, labels (N,) int64, 10 class names."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    class_names: tuple


def load_cifar10(name_or_path="cifar10", datasets_root=None, download=True, verbose=True):
    """Returns a `Cifar10Data` with the 50,000 training and 10,000 test images (BGR) of CIFAR-10.

    `name_or_path` is a catalog name (`cifar10`, downloaded and verified on first use, or
    `synthetic-cifar10`, generated offline), a catalog `DatasetEntry`, or an existing folder
    holding `cifar-10-batches-bin/` (or that folder itself). The training images are
    data_batch_1.bin .. data_batch_5.bin in file order; the class names come from
    batches.meta.txt. Raises a user error naming the file when a batch file is missing or bad.
    """
    folder = batches_folder(name_or_path, datasets_root, download, verbose)
    class_names = read_class_names(folder / META_FILE)
    train = [read_batch_file(folder / name, len(class_names)) for name in TRAIN_BATCHES]
    test_images, test_labels = read_batch_file(folder / TEST_BATCH, len(class_names))
    return Cifar10Data(
        train_images=np.concatenate([images for images, _ in train]),
        train_labels=np.concatenate([labels for _, labels in train]),
        test_images=test_images,
        test_labels=test_labels,
        class_names=class_names,
    )


def batches_folder(name_or_path="cifar10", datasets_root=None, download=True, verbose=True):
    """The `cifar-10-batches-bin` folder of a catalog name, an entry or a folder (see `load_cifar10`)."""
    if isinstance(name_or_path, (str, os.PathLike)) and pathlib.Path(name_or_path).is_dir():
        root = pathlib.Path(name_or_path)
    else:
        from pyimagesearch.datasets import catalog  # imported here: the catalog imports this module

        root = catalog.resolve_dataset(name_or_path, datasets_root, download=download, verbose=verbose)
    folder = root if root.name == BATCHES_FOLDER and (root / META_FILE).is_file() else root / BATCHES_FOLDER
    missing = [name for name in TRAIN_BATCHES + (TEST_BATCH, META_FILE) if not (folder / name).is_file()]
    if missing:
        raise errors.MissingFileError(
            f"{folder} lacks {', '.join(missing)}: expected CIFAR-10's binary version (the folder "
            f"{BATCHES_FOLDER}/ of cifar-10-binary.tar.gz). Received: name_or_path={str(name_or_path)!r}"
        )
    return folder


def read_batch_file(path, num_classes=NUM_CLASSES):
    """Reads one CIFAR-10 batch file; returns (images (N, 32, 32, 3) uint8 BGR, labels (N,) int64).

    Refuses, naming the file, one whose size is not a multiple of 3,073 bytes (or is 0) or that
    holds a label >= `num_classes`.
    """
    path = pathlib.Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % RECORD_BYTES:
        raise errors.InvalidFileError(
            f"{errors.display_path(path)} is not a CIFAR-10 batch file: its size, {raw.size:,} bytes, is not a "
            f"positive multiple of the {RECORD_BYTES:,}-byte record. Received: {errors.display_path(path)}"
        )
    records = raw.reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels >= num_classes)
    if bad.size:
        raise errors.InvalidFileError(
            f"{errors.display_path(path)}: record {bad[0]} has label {labels[bad[0]]}, but there are only "
            f"{num_classes} classes ({bad.size} such records). Received: {errors.display_path(path)}"
        )
    return records_to_images(records[:, 1:]), labels


def records_to_images(pixels):
    """(N, 3072) planes R, G, B (row-major 32x32 each) to (N, 32, 32, 3) uint8 BGR images."""
    planes = np.asarray(pixels, dtype=np.uint8).reshape(-1, CHANNELS, IMAGE_SIZE, IMAGE_SIZE)
    # (N, C, H, W) RGB -> (N, H, W, C), then reverse the channels: RGB -> BGR.
    return np.ascontiguousarray(planes.transpose(0, 2, 3, 1)[..., ::-1])


def images_to_records(images, labels):
    """The inverse of reading: BGR images (N, 32, 32, 3) uint8 and labels to (N, 3073) uint8 records."""
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.dtype != np.uint8 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, CHANNELS):
        raise errors.InvalidArgumentError(
            f"Expected uint8 images of shape (N, 32, 32, 3). Received: {images.dtype} {images.shape}"
        )
    if labels.shape != (len(images),) or (labels.size and (labels.min() < 0 or labels.max() > 255)):
        raise errors.InvalidArgumentError(f"Expected one label 0..255 per image. Received: labels.shape={labels.shape}")
    planes = images[..., ::-1].transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([labels.astype(np.uint8)[:, None], planes], axis=1)


def write_batch_file(path, images, labels):
    """Writes BGR images and labels as a CIFAR-10 batch file, atomically; returns the path."""
    records = images_to_records(images, labels)
    with atomic.atomic_output_path(path) as temporary_path:
        records.tofile(temporary_path)
    return pathlib.Path(path)


def read_class_names(path, expected=NUM_CLASSES):
    """The class names in `batches.meta.txt` (one per line, blank lines ignored), as a tuple.

    Refuses, naming the file, one that does not hold `expected` distinct names.
    """
    path = pathlib.Path(path)
    with open(path, encoding="utf-8") as handle:
        names = tuple(line.strip() for line in handle if line.strip())
    if len(names) != expected or len(set(names)) != len(names):
        raise errors.InvalidFileError(
            f"{errors.display_path(path)} should list {expected} distinct class names, one per line. Received: {names!r}"
        )
    return names


def write_class_names(path, class_names):
    atomic.write_text_atomic(path, "".join(f"{name}\n" for name in class_names))


def extract_members(archive_path, output_dir, verbose=True):
    """Extracts only `MEMBERS` of the CIFAR-10 tar archive into the new folder `output_dir`.

    Members are chosen by their exact names, and each is written under the name from
    `MEMBERS`, never under a name taken from the archive; every other member (readme.html in
    the real archive, or anything else) is skipped without being read, so no name in the
    archive can make it write elsewhere. Raises `download_module.DatasetDownloadError` when an
    expected member is missing, repeated or not a regular file. Returns `output_dir`.
    """
    archive_path = pathlib.Path(archive_path)
    output_dir = pathlib.Path(output_dir)
    if not tarfile.is_tarfile(archive_path):
        raise download_module.DatasetDownloadError(f"{archive_path} is not a tar archive.", destination=archive_path)
    with tarfile.open(archive_path) as archive, atomic.atomic_output_path(output_dir) as temporary_dir:
        members, ignored = _select_members(archive_path, archive.getmembers())
        (temporary_dir / BATCHES_FOLDER).mkdir(parents=True)
        for name, member in members.items():
            with archive.extractfile(member) as source, open(temporary_dir / name, "wb") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
    if verbose and ignored:
        print(f"[INFO] {archive_path.name}: left out {len(ignored)} member(s) CIFAR-10 does not need: "
              + ", ".join(ignored[:5]))
    return output_dir


def _select_members(archive_path, members):
    """({expected name: member}, [ignored names]); refuses a missing, repeated or odd member."""
    chosen, ignored = {}, []
    for member in members:
        name = member.name[2:] if member.name.startswith("./") else member.name
        if name not in MEMBERS:
            if not member.isdir():
                ignored.append(name)
            continue
        if name in chosen:
            raise download_module.DatasetDownloadError(f"{archive_path} holds {name} twice.", destination=archive_path)
        if not member.isfile():
            raise download_module.UnsafeArchiveError(
                f"{archive_path}: member {name} is a link or special file, not a regular file.", destination=archive_path
            )
        chosen[name] = member
    missing = [name for name in MEMBERS if name not in chosen]
    if missing:
        raise download_module.DatasetDownloadError(
            f"{archive_path} is not CIFAR-10's binary version: it lacks {', '.join(missing)}.", destination=archive_path
        )
    return chosen, ignored


def arrange(extracted_dir, output_dir):
    """Moves the extracted `cifar-10-batches-bin/` into `output_dir`, checking each batch file's size."""
    source = pathlib.Path(extracted_dir) / BATCHES_FOLDER
    for name in TRAIN_BATCHES + (TEST_BATCH,):
        size = (source / name).stat().st_size
        if size == 0 or size % RECORD_BYTES:
            raise download_module.DatasetDownloadError(
                f"{source / name} has {size:,} bytes, not a multiple of the {RECORD_BYTES:,}-byte record."
            )
    os.replace(source, pathlib.Path(output_dir) / BATCHES_FOLDER)
