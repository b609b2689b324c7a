"""Every stratified, seeded split of the package, and the split files a run keeps.

- `stratified_split`: paths and labels into train and test, by a fraction.
- `split_image_folder`: a folder of class subfolders into a train/test dict of relative paths,
  saved as the run folder's `split.json`.
- `stratified_kfold_splits`: the same dicts, one per fold of a k-fold cross-validation.
- `split_train_val_test`: train, val and test parts (each a fraction or a number of images),
  rows shuffled once, for the HDF5 builder.

The first, second and last take their parts out with one core (scikit-learn's
`train_test_split`, stratified by label), so the same paths, labels and seed give the same
split everywhere. `evaluate.py` and a resumed run read `split.json` instead of splitting
again, so they see exactly the images the run held out, even if files were added since.
"""

import json
import numbers
import os
import pathlib

import numpy as np
from sklearn import model_selection

from pyimagesearch.utils import atomic, errors, validation

# The parts `split_train_val_test` returns, in this order (a part of size 0 is left out).
TRAIN_VAL_TEST = ("train", "val", "test")


def class_names_from_paths(paths):
    """Returns the sorted names of the images' parent folders: the label names."""
    return sorted({pathlib.Path(path).parent.name for path in paths})


def labels_from_paths(paths, class_names):
    """Returns integer labels: the index of each image's parent folder in `class_names`."""
    index = {name: position for position, name in enumerate(class_names)}
    labels = []
    for path in paths:
        name = pathlib.Path(path).parent.name
        if name not in index:
            raise errors.InvalidArgumentError(f"Image {path} is in folder {name!r}, which is not a known class. Received: class_names={class_names}")
        labels.append(index[name])
    return np.asarray(labels, dtype=np.int64)


def stratified_split(paths, labels, test_size=0.25, seed=42):
    """Splits paths and labels into (train_paths, test_paths, train_labels, test_labels).

    Stratified, so every class keeps its share in both parts; the same seed and paths give
    the same split.
    """
    validation.check_number(
        "test_size", test_size, minimum=0, maximum=1, include_minimum=False, include_maximum=False
    )
    labels = np.asarray(labels)
    counts = np.bincount(labels)
    if counts[counts > 0].min() < 2:
        raise errors.InvalidArgumentError(
            "Every class needs at least 2 images for a stratified split. "
            f"Received: images per class={counts.tolist()}"
        )
    train_paths, test_paths, train_labels, test_labels = _stratified_partition(
        list(paths), labels, test_size, seed, "test"
    )
    return train_paths, test_paths, np.asarray(train_labels), np.asarray(test_labels)


def split_image_folder(paths, dataset_root, test_size=0.25, seed=42):
    """Splits image paths from a folder of class subfolders into a serialisable dict.

    Returns {"dataset_root", "class_names", "test_size", "seed", "train", "test"}, where
    "dataset_root" is absolute (so a saved split works from any working directory) and
    "train" and "test" are lists of paths relative to it.
    """
    class_names, labels = _folder_labels(paths, dataset_root)
    if len(class_names) < 2:
        raise errors.InvalidArgumentError(
            f"A classifier needs at least 2 class folders in {dataset_root}. "
            f"Received: class folders={class_names}"
        )
    train_paths, test_paths, _, _ = stratified_split(paths, labels, test_size, seed)
    return _split_record(dataset_root, class_names, test_size, seed, train_paths, test_paths)


def stratified_kfold_splits(paths, dataset_root, folds, seed=42):
    """Splits an image folder into `folds` stratified, seeded folds.

    Returns one split dict per fold, in the format of `split_image_folder` (paths relative to
    `dataset_root`) plus "fold" (1-based) and "folds": fold k tests on the k-th part and
    trains on the others, and every image is tested exactly once.
    """
    validation.check_integer("folds", folds, minimum=2)
    validation.check_integer("seed", seed, minimum=0)
    paths = [str(path) for path in paths]
    class_names, labels = _folder_labels(paths, dataset_root)
    counts = np.bincount(labels, minlength=len(class_names))
    if len(class_names) < 2 or counts.min() < folds:
        raise errors.InvalidArgumentError(
            f"Stratified {folds}-fold cross-validation needs at least 2 classes with at least {folds} images "
            f"each. Received: images per class={dict(zip(class_names, counts.tolist()))}"
        )
    splitter = model_selection.StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    result = []
    for fold, (train_index, test_index) in enumerate(splitter.split(np.zeros(len(paths)), labels), start=1):
        train_paths = [paths[index] for index in train_index]
        test_paths = [paths[index] for index in test_index]
        result.append(
            _split_record(dataset_root, class_names, 1.0 / folds, seed, train_paths, test_paths, fold=fold, folds=folds)
        )
    return result


def split_train_val_test(image_paths, labels, val_size=0.1, test_size=0.1, seed=42):
    """Stratified, seeded split; returns {"train": (paths, labels), "val": ..., "test": ...}.

    `val_size` and `test_size` are each a fraction (0 <= f < 1, rounded up as scikit-learn
    does) or a number of images. The test part is taken first, then the validation part from
    the rest. Each part's rows are in a seeded random order (the HDF5 builder's "shuffle once
    at write time"). Parts of size 0 are left out.
    """
    labels = np.asarray(labels)
    paths = np.asarray([str(path) for path in image_paths], dtype=object)
    test_count = _split_count("test_size", test_size, len(paths))
    val_count = _split_count("val_size", val_size, len(paths))
    if test_count + val_count >= len(paths):
        raise errors.InvalidArgumentError(
            f"Validation and test splits take {val_count + test_count} of {len(paths)} images, leaving "
            f"none to train on. Received: val_size={val_size!r}, test_size={test_size!r}"
        )
    parts = {}
    rest_paths, rest_labels = paths, labels
    for part, count in (("test", test_count), ("val", val_count)):
        if count:
            rest_paths, part_paths, rest_labels, part_labels = _stratified_partition(
                rest_paths, rest_labels, count, seed, part
            )
            parts[part] = (part_paths, part_labels)
    parts["train"] = (rest_paths, rest_labels)
    random = np.random.default_rng(seed)
    ordered = {}
    for part in TRAIN_VAL_TEST:
        if part in parts:
            part_paths, part_labels = parts[part]
            order = random.permutation(len(part_paths))
            ordered[part] = ([str(path) for path in part_paths[order]], part_labels[order])
    return ordered


def split_paths(split, part):
    """Absolute paths of the "train" or "test" part of a split dict."""
    if part not in ("train", "test"):
        raise errors.InvalidArgumentError(f"`part` must be 'train' or 'test'. Received: part={part!r}")
    root = pathlib.Path(split["dataset_root"])
    return [str(root / relative) for relative in split[part]]


def save_split(split, path):
    atomic.write_json_atomic(path, split)


def load_split(path):
    path = pathlib.Path(path)
    if not path.is_file():
        raise errors.InvalidArgumentError(f"No split file at {path}; was the run folder made by train.py? Received: path={str(path)!r}")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _stratified_partition(paths, labels, size, seed, part):
    """(rest_paths, part_paths, rest_labels, part_labels): `size` images (a count or a fraction) for `part`.

    The one stratified core: scikit-learn's `train_test_split`, seeded, so every class keeps
    its share.
    """
    try:
        return model_selection.train_test_split(paths, labels, test_size=size, stratify=labels, random_state=seed)
    except ValueError as error:
        counts = np.bincount(labels)
        amount = f"{size} images" if isinstance(size, numbers.Integral) else f"{size:g} of the images"
        raise errors.InvalidArgumentError(
            f"Can't make a stratified {part} split of {amount}: {error}. Received: images per "
            f"class={counts.tolist()}"
        ) from error


def _split_count(name, size, total):
    """The number of images a part of `size` (a fraction or a count) of `total` takes."""
    if not validation.is_number(size):
        raise errors.InvalidArgumentError(f"`{name}` must be a fraction in [0, 1) or a number of images. Received: {name}={size!r}")
    if isinstance(size, numbers.Integral):
        if size < 0:
            raise errors.InvalidArgumentError(f"`{name}` must not be negative. Received: {name}={size!r}")
        return int(size)
    if not 0.0 <= size < 1.0:
        raise errors.InvalidArgumentError(f"`{name}` as a fraction must be in [0, 1). Received: {name}={size!r}")
    # The same rounding as scikit-learn's train_test_split (ceil).
    return int(np.ceil(size * total))


def _folder_labels(paths, dataset_root):
    """(class_names, labels) of images in class subfolders; refuses an empty list."""
    if not paths:
        raise errors.InvalidArgumentError(f"No images found in {dataset_root}. Received: {len(paths)} paths")
    class_names = class_names_from_paths(paths)
    return class_names, labels_from_paths(paths, class_names)


def _split_record(dataset_root, class_names, test_size, seed, train_paths, test_paths, **fold):
    """The serialisable split dict: `dataset_root` absolute, the paths relative to it."""
    root = pathlib.Path(dataset_root)
    return {
        "dataset_root": os.path.abspath(root),
        "class_names": class_names,
        "test_size": test_size,
        "seed": seed,
        **fold,
        "train": [os.path.relpath(path, root) for path in train_paths],
        "test": [os.path.relpath(path, root) for path in test_paths],
    }
