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

It runs the HDF5 builder's own steps (`pyimagesearch.io.builder`: parallel decoding, the
writer, the mean, the report) on these fixed splits instead of a random one, so it is atomic
and restartable the same way: everything is written into a hidden folder beside `output_dir`
that is renamed into place only when the whole build succeeded, and a build killed at any
point leaves nothing at `output_dir`; the next run removes the leftovers and starts again.
"""

import pathlib
import shutil

import numpy as np

from pyimagesearch.datasets import imagefiles, splits, tinyimagenet
from pyimagesearch.io import builder
from pyimagesearch.preprocessing import resizing
from pyimagesearch.utils import atomic, validation

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
    output_dir = pathlib.Path(output_dir)
    validation.check_booleans(overwrite=overwrite)
    name = builder._validate_name(name if name is not None else output_dir.name)
    if output_dir.exists() and not overwrite:
        raise FileExistsError(
            f"{output_dir} exists; pass overwrite=True to rebuild it. Received: output_dir={str(output_dir)!r}"
        )
    dataset = tinyimagenet.load_tiny_imagenet_splits(name_or_path, datasets_root, val_per_class=val_per_class, seed=seed)
    parts = _shuffled_parts(dataset, seed)
    size = (tinyimagenet.IMAGE_SIZE, tinyimagenet.IMAGE_SIZE)
    preprocessors = [resizing.make_resizer("aspect", *size)]
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_stale_partials(output_dir)
    staging_dir = atomic.temporary_sibling(output_dir)
    staging_dir.mkdir()
    try:
        decoder = builder._Decoder(
            size, preprocessors, builder._worker_count(workers), False, imagefiles.MAX_IMAGE_PIXELS
        )
        result = builder._build_into(staging_dir, parts, dataset["class_names"], size, decoder, progress, compression, name)
        result["classes_path"] = staging_dir / CLASSES_FILE
        atomic.write_text_atomic(result["classes_path"], _classes_text(dataset))
        builder._commit(staging_dir, output_dir)
    except BaseException:
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise
    result = builder._relocate(result, staging_dir, output_dir)
    result["classes_path"] = output_dir / CLASSES_FILE
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
