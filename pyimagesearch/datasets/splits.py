"""Stratified, seeded splits of an image folder, saved so a run can be evaluated or resumed.

The split is stored as paths relative to the dataset folder, in the run folder's
`split.json`. `evaluate.py` and a resumed run read that file instead of splitting again, so
they see exactly the images the run held out, even if files were added to the folder since.
"""

import json
import os
import pathlib

import numpy as np
from sklearn import model_selection

from pyimagesearch.utils import atomic, errors


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
    if not 0.0 < test_size < 1.0:
        raise errors.InvalidArgumentError(f"`test_size` must be between 0 and 1. Received: test_size={test_size!r}")
    labels = np.asarray(labels)
    counts = np.bincount(labels)
    if counts[counts > 0].min() < 2:
        raise errors.InvalidArgumentError(
            "Every class needs at least 2 images for a stratified split. "
            f"Received: images per class={counts.tolist()}"
        )
    train_paths, test_paths, train_labels, test_labels = model_selection.train_test_split(
        list(paths), labels, test_size=test_size, stratify=labels, random_state=seed
    )
    return train_paths, test_paths, np.asarray(train_labels), np.asarray(test_labels)


def split_image_folder(paths, dataset_root, test_size=0.25, seed=42):
    """Splits image paths from a folder of class subfolders into a serialisable dict.

    Returns {"dataset_root", "class_names", "test_size", "seed", "train", "test"}, where
    "train" and "test" are lists of paths relative to `dataset_root`.
    """
    if not paths:
        raise errors.InvalidArgumentError(f"No images found in {dataset_root}. Received: {len(paths)} paths")
    class_names = class_names_from_paths(paths)
    if len(class_names) < 2:
        raise errors.InvalidArgumentError(
            f"A classifier needs at least 2 class folders in {dataset_root}. "
            f"Received: class folders={class_names}"
        )
    labels = labels_from_paths(paths, class_names)
    train_paths, test_paths, _, _ = stratified_split(paths, labels, test_size, seed)
    root = pathlib.Path(dataset_root)
    return {
        "dataset_root": str(root),
        "class_names": class_names,
        "test_size": test_size,
        "seed": seed,
        "train": [os.path.relpath(path, root) for path in train_paths],
        "test": [os.path.relpath(path, root) for path in test_paths],
    }


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
