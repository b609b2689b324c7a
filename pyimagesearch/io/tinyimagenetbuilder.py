"""The course's three Tiny ImageNet HDF5 files: train, val (held out of train) and test (official val).

    result = build_tiny_imagenet_hdf5("tiny-imagenet-200", "datasets/tiny-imagenet-200-hdf5")
    result = build_tiny_imagenet_hdf5("synthetic-tiny-imagenet", "/tmp/tiny-hdf5")   # offline

`output_dir` gets train.hdf5, val.hdf5 and test.hdf5 (64x64x3 uint8 BGR, the format every
reader of the package checks), `<name>_mean.json` (the course's {"R", "G", "B"} file; the same
mean is in every split file's `mean` attribute, which `heldout.mean_preprocessor` reads),
`build_report.txt` and `classes.tsv` (label, wnid, class name). The splits are the ones of
`tinyimagenet.load_tiny_imagenet_splits`:
- val: `val_per_class` images of every class, taken out of the training folder (seeded);
- test: the official val folder, labelled through val_annotations.txt;
- the mean comes from the training split only.

It hands these fixed splits to the HDF5 builder (`builder.build_hdf5_splits`: parallel
decoding, the writer, the mean, the report) instead of a random split, so it is atomic and
restartable the same way: everything is written into a hidden folder beside `output_dir`
that is renamed into place only when the whole build succeeded, and a build killed at any
point leaves nothing at `output_dir`; the next run removes the leftovers and starts again.
"""

import numpy as np

from pyimagesearch.datasets import splits, tinyimagenet
from pyimagesearch.io import builder

CLASSES_FILE = "classes.tsv"


def build_tiny_imagenet_hdf5(
    name_or_path,
    output_dir,
    seed=42,
    val_per_class=50,
    datasets_root=None,
    name=None,
    workers=None,
    overwrite=False,
    progress=True,
    compression=None,
):
    """Builds the three HDF5 files in `output_dir` (see the module docstring); returns a summary dict.

    `name_or_path` is a catalog name (`tiny-imagenet-200`, `synthetic-tiny-imagenet`) or a
    folder with Tiny ImageNet's layout. `seed` picks the held-out images and the row order.
    `name` names the mean file (default: the folder's name); `workers`, `overwrite`,
    `progress` and `compression` are as in `builder.build_hdf5_dataset`.

    Returns the builder's summary: "output_dir", "files" and "counts" per split, "skipped",
    "mean" (training split), "label_names", "mean_path", "report_path", plus "wnids" and
    "classes_path".
    """
    # Checked before the dataset is listed (or downloaded), so a wrong destination fails at once.
    output_dir, name = builder.check_destination(output_dir, name, overwrite)
    dataset = tinyimagenet.load_tiny_imagenet_splits(name_or_path, datasets_root, val_per_class=val_per_class, seed=seed)
    result = builder.build_hdf5_splits(
        _shuffled_parts(dataset, seed),
        dataset["class_names"],
        output_dir,
        tinyimagenet.IMAGE_SIZE,
        tinyimagenet.IMAGE_SIZE,
        name=name,
        workers=workers,
        overwrite=overwrite,
        progress=progress,
        compression=compression,
        extra_files={CLASSES_FILE: _classes_text(dataset)},
    )
    result["classes_path"] = result["extra_paths"][CLASSES_FILE]
    result["wnids"] = list(dataset["wnids"])
    return result


def _shuffled_parts(dataset, seed):
    """{"train", "val", "test": (paths, labels)} with each part's rows in a seeded random order
    (the builder's "shuffle once at write time"); an empty val part is left out."""
    random = np.random.default_rng(seed)
    parts = {}
    for split in splits.TRAIN_VAL_TEST:
        paths, labels = dataset[split]
        if not len(paths):
            continue
        order = random.permutation(len(paths))
        parts[split] = ([paths[row] for row in order], np.asarray(labels)[order])
    return parts


def _classes_text(dataset):
    lines = ["label\twnid\tclass_name"]
    lines += [f"{label}\t{wnid}\t{name}" for label, (wnid, name) in enumerate(zip(dataset["wnids"], dataset["class_names"]))]
    return "\n".join(lines) + "\n"
