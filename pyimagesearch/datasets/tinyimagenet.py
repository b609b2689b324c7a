"""Tiny ImageNet 200 (cs231n): the course's three splits, as lists of image paths and labels.

    parts = load_tiny_imagenet_splits("tiny-imagenet-200")      # or "synthetic-tiny-imagenet"
    train_paths, train_labels = parts["train"]
    parts["class_names"][label], parts["wnids"][label]

The extracted dataset holds `train/<wnid>/images/*.JPEG` (500 per class, 64x64),
`val/images/*.JPEG` with `val/val_annotations.txt` (tab-separated: file, wnid, x0, y0, x1, y1),
an unlabelled `test/`, `wnids.txt` (the 200 class ids) and `words.txt` (wnid TAB comma-separated
names, for all of ImageNet). As in the course:
- "train" is the training folder minus the held-out images;
- "val" is `val_per_class` images of every class taken out of the training folder (seeded);
- "test" is the official `val` folder, labelled through `val_annotations.txt`.

Labels index the wnids in sorted order (what the course's LabelEncoder gives). A class is
named by the first name words.txt gives its wnid; a first name two classes share gets the wnid
appended, "crane (n03126707)", so names stay distinct (an HDF5 file's label names must be).
"""

import os
import pathlib

import numpy as np

from pyimagesearch.datasets import download as download_module
from pyimagesearch.utils import errors, validation

WNIDS_FILE = "wnids.txt"
WORDS_FILE = "words.txt"
VAL_ANNOTATIONS = "val/val_annotations.txt"
VAL_IMAGES = "val/images"
# What a prepared folder must hold (the unlabelled test/ is optional).
REQUIRED_PATHS = ("train", VAL_ANNOTATIONS, WNIDS_FILE, WORDS_FILE)
IMAGE_SIZE = 64
IMAGE_SUFFIXES = (".jpeg", ".jpg", ".png")


def load_tiny_imagenet_splits(name_or_path="tiny-imagenet-200", datasets_root=None, val_per_class=50, seed=42,
                              download=True, verbose=True):
    """Returns {"train", "val", "test": (paths, labels), "class_names", "wnids", "root"}.

    Each split is a pair of parallel sequences: a list of str paths and an int64 NumPy array
    of labels, in class order and then file name order (the HDF5 builder shuffles them once).
    `name_or_path` is a catalog name (`tiny-imagenet-200`, `synthetic-tiny-imagenet`), a
    `DatasetEntry` or an existing folder with Tiny ImageNet's layout. `val_per_class` images of
    every class are held out of the training folder, chosen by `seed` (0: "val" is empty).

    Raises a user error naming the file (and line) for: a wnid in val_annotations.txt that
    wnids.txt does not list, an annotated image that does not exist, a malformed line, a wnid
    without a training folder or a words.txt line, and a class with too few images to hold
    out `val_per_class`.
    """
    validation.check_integer("val_per_class", val_per_class, minimum=0)
    validation.check_integer("seed", seed, minimum=0)
    root = dataset_folder(name_or_path, datasets_root, download, verbose)
    wnids = read_wnids(root / WNIDS_FILE)
    class_names = read_class_names(root / WORDS_FILE, wnids)
    train_paths, train_labels = list_training_images(root, wnids)
    train, val = hold_out_per_class(train_paths, train_labels, val_per_class, seed, wnids)
    return {
        "train": train,
        "val": val,
        "test": read_val_annotations(root, wnids),
        "class_names": class_names,
        "wnids": wnids,
        "root": root,
    }


def dataset_folder(name_or_path="tiny-imagenet-200", datasets_root=None, download=True, verbose=True):
    """The extracted folder of a catalog name, an entry or a path; checks REQUIRED_PATHS."""
    if isinstance(name_or_path, (str, os.PathLike)) and pathlib.Path(name_or_path).is_dir():
        root = pathlib.Path(name_or_path)
    else:
        from pyimagesearch.datasets import catalog  # imported here: the catalog imports this module

        root = catalog.resolve_dataset(name_or_path, datasets_root, download=download, verbose=verbose)
    missing = [relative for relative in REQUIRED_PATHS if not (root / relative).exists()]
    if missing:
        raise errors.MissingFileError(
            f"{root} lacks {', '.join(missing)}: expected Tiny ImageNet's layout (train/<wnid>/images, "
            f"{VAL_ANNOTATIONS}, {WNIDS_FILE}, {WORDS_FILE}). Received: name_or_path={str(name_or_path)!r}"
        )
    return root


def read_wnids(path):
    """The class ids listed in wnids.txt, sorted; refuses an empty file or a repeated id."""
    lines = _read_lines(path)
    wnids = [line.strip() for line in lines if line.strip()]
    repeated = sorted({wnid for wnid in wnids if wnids.count(wnid) > 1})
    if len(wnids) < 2 or repeated:
        raise errors.InvalidFileError(
            f"{path} should list at least 2 distinct wnids, one per line. Received: {len(wnids)} wnids"
            + (f", repeated: {repeated[:5]}" if repeated else "")
        )
    return sorted(wnids)


def read_class_names(path, wnids):
    """One distinct name per wnid: the first of its names in words.txt (see the module docstring)."""
    wanted = set(wnids)
    first_names = {}
    for number, line in enumerate(_read_lines(path), start=1):
        wnid, separator, names = line.rstrip("\r\n").partition("\t")
        if wnid in wanted and separator:
            first_names[wnid] = names.split(",")[0].strip() or wnid
    missing = [wnid for wnid in wnids if wnid not in first_names]
    if missing:
        raise errors.InvalidFileError(
            f"{path} has no 'wnid<TAB>names' line for {', '.join(missing[:5])}"
            f"{' ...' if len(missing) > 5 else ''}. Received: {len(missing)} wnids without names"
        )
    names = [first_names[wnid] for wnid in wnids]
    return [name if names.count(name) == 1 else f"{name} ({wnid})" for wnid, name in zip(wnids, names)]


def list_training_images(root, wnids):
    """(paths, labels) of every image in train/<wnid>/images, in class then file name order."""
    train_dir = pathlib.Path(root) / "train"
    unknown = sorted(child.name for child in train_dir.iterdir() if child.is_dir() and child.name not in set(wnids))
    if unknown:
        raise errors.InvalidFileError(
            f"{train_dir} holds folders that {WNIDS_FILE} does not list: {', '.join(unknown[:5])}. "
            f"Received: {len(unknown)} unknown folders"
        )
    paths, labels = [], []
    for label, wnid in enumerate(wnids):
        images_dir = train_dir / wnid / "images"
        found = _images_in(images_dir)
        if not found:
            raise errors.MissingFileError(f"{images_dir} holds no images for class {wnid}. Received: {images_dir}")
        paths += found
        labels += [label] * len(found)
    return paths, np.asarray(labels, dtype=np.int64)


def hold_out_per_class(paths, labels, val_per_class, seed, wnids):
    """Splits (paths, labels) into train and val parts, `val_per_class` of every class in val.

    Each class's images are shuffled by one generator seeded with `seed` (classes in label
    order), and the first `val_per_class` go to val, so the same seed gives the same split.
    """
    labels = np.asarray(labels)
    random = np.random.default_rng(seed)
    train_rows, val_rows = [], []
    for label, wnid in enumerate(wnids):
        rows = np.flatnonzero(labels == label)
        if len(rows) <= val_per_class:
            raise errors.InvalidArgumentError(
                f"Class {wnid} has {len(rows)} training images, too few to hold out {val_per_class} and keep "
                f"some to train on. Received: val_per_class={val_per_class}"
            )
        order = rows[random.permutation(len(rows))]
        val_rows += sorted(order[:val_per_class].tolist())
        train_rows += sorted(order[val_per_class:].tolist())

    def part(rows):
        return [paths[row] for row in rows], labels[np.asarray(rows, dtype=np.int64)].astype(np.int64)

    return part(train_rows), part(val_rows)


def read_val_annotations(root, wnids):
    """(paths, labels) of the official val images, labelled by val/val_annotations.txt, in file order."""
    root = pathlib.Path(root)
    annotations = root / VAL_ANNOTATIONS
    label_of = {wnid: label for label, wnid in enumerate(wnids)}
    paths, labels, seen = [], [], set()
    for number, line in enumerate(_read_lines(annotations), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r\n").split("\t")
        where = f"{annotations}, line {number}"
        if len(fields) < 2 or not fields[0] or fields[0] in (".", "..") or "/" in fields[0] or "\\" in fields[0]:
            raise errors.InvalidFileError(
                f"{where}: expected 'file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1' with a plain file name. Received: {line.strip()!r}"
            )
        name, wnid = fields[0], fields[1]
        if wnid not in label_of:
            raise errors.InvalidFileError(f"{where}: wnid {wnid!r} is not listed in {root / WNIDS_FILE}. Received: {line.strip()!r}")
        path = root / VAL_IMAGES / name
        if not path.is_file():
            raise errors.MissingFileError(f"{where}: the image {path} does not exist. Received: {line.strip()!r}")
        if name in seen:
            raise errors.InvalidFileError(f"{where}: {name} is annotated twice. Received: {line.strip()!r}")
        seen.add(name)
        paths.append(str(path))
        labels.append(label_of[wnid])
    if not paths:
        raise errors.InvalidFileError(f"{annotations} annotates no image. Received: an empty file")
    return paths, np.asarray(labels, dtype=np.int64)


def arrange(extracted_dir, output_dir):
    """Moves the extracted archive's top folder (tiny-imagenet-200/) contents into `output_dir`."""
    extracted_dir = pathlib.Path(extracted_dir)
    candidates = [extracted_dir] + sorted(child for child in extracted_dir.iterdir() if child.is_dir())
    tops = [folder for folder in candidates if (folder / WNIDS_FILE).is_file()]
    if not tops:
        raise download_module.DatasetDownloadError(
            f"The archive has no {WNIDS_FILE} at its top or one folder down, so it is not Tiny ImageNet (in {extracted_dir})."
        )
    top = tops[0]
    missing = [relative for relative in REQUIRED_PATHS if not (top / relative).exists()]
    if missing:
        raise download_module.DatasetDownloadError(f"The Tiny ImageNet archive lacks {', '.join(missing)} (in {top}).")
    for child in sorted(top.iterdir()):
        os.replace(child, pathlib.Path(output_dir) / child.name)


def _images_in(folder):
    if not folder.is_dir():
        return []
    return sorted(str(path) for path in folder.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file())


def _read_lines(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readlines()
    except FileNotFoundError as error:
        raise errors.MissingFileError(f"{path} does not exist. Received: {path}") from error
    except UnicodeDecodeError as error:
        raise errors.InvalidFileError(f"{path} is not UTF-8 text ({error}). Received: {path}") from error
