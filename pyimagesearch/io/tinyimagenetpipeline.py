"""tf.data pipelines over the Tiny ImageNet HDF5 folder (`tinyimagenetbuilder.build_tiny_imagenet_hdf5`).

    train_dataset, val_dataset = tinyimagenetpipeline.make_tiny_imagenet_datasets(hdf5_dir, 64, seed=42)
    steps = tinyimagenetpipeline.steps_per_epoch(hdf5_dir, 64)          # for a per-step schedule
    probabilities, labels = tinyimagenetpipeline.predict_split(model, hdf5_dir, "test", 64)

What the course's Tiny ImageNet chapters feed (SimplePreprocessor(64, 64), MeanPreprocessor,
ImageToArrayPreprocessor): 64x64 pixels minus the training split's per-channel mean, NOT scaled
to [0, 1]. Every split is normalised the same way, with the mean stored in its file (the
training split's). The training batches are augmented as the course's
`ImageDataGenerator(rotation_range=18, zoom_range=0.15, width_shift_range=0.2,
height_shift_range=0.2, shear_range=0.15, horizontal_flip=True, fill_mode="nearest")`
(`AUGMENTATION`); validation and test batches never are, and keep the file's row order.
"""

import pathlib

from pyimagesearch.io import hdf5format, hdf5pipeline, pipeline
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import errors

# The course's ImageDataGenerator settings in both Tiny ImageNet chapters (build_augmentation's names).
AUGMENTATION = {
    "rotation": 18,
    "zoom": 0.15,
    "width_shift": 0.2,
    "height_shift": 0.2,
    "shear": 0.15,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}
# Mean-subtracted pixels are fed unscaled, as in the course.
SCALE = 1.0
SPLIT_FILES = {"train": "train.hdf5", "val": "val.hdf5", "test": "test.hdf5"}


def split_path(hdf5_dir, split):
    """`<hdf5_dir>/<split>.hdf5` for "train", "val" or "test"."""
    if split not in SPLIT_FILES:
        raise errors.InvalidArgumentError(f"`split` must be one of {sorted(SPLIT_FILES)}. Received: split={split!r}")
    return pathlib.Path(hdf5_dir) / SPLIT_FILES[split]


def make_tiny_imagenet_datasets(hdf5_dir, global_batch_size, seed, augment=True, replicas=None):
    """(training dataset: keyed on `seed`, reshuffled every epoch, augmented unless `augment` is
    False; validation dataset, in order). Both mean-subtracted with the file's mean, unscaled."""
    augmentation = build_augmentation(**AUGMENTATION, seed=seed) if augment else None
    train_dataset = hdf5pipeline.make_hdf5_dataset(
        split_path(hdf5_dir, "train"), global_batch_size, training=True, seed=seed, augmentation=augmentation,
        mean="file", scale=SCALE, replicas=replicas,
    )
    return train_dataset, make_split_dataset(hdf5_dir, "val", global_batch_size, replicas)


def make_split_dataset(hdf5_dir, split, global_batch_size, replicas=None):
    """One split in the file's row order, normalised as the training batches are, with one-hot labels."""
    return hdf5pipeline.make_hdf5_dataset(
        split_path(hdf5_dir, split), global_batch_size, mean="file", scale=SCALE, replicas=replicas
    )


def predict_split(model, hdf5_dir, split, batch_size, verbose="auto"):
    """(probabilities (N, classes), labels (N,)) of every row of one split, in the file's order."""
    return hdf5pipeline.predict_hdf5(
        model, split_path(hdf5_dir, split), batch_size, mean="file", scale=SCALE, verbose=verbose
    )


def steps_per_epoch(hdf5_dir, global_batch_size, replicas=None):
    """The batches of one training epoch (a per-step learning-rate schedule needs it): every row
    counts, the last batch may be smaller (see `pipeline.batch_bounds`)."""
    rows = hdf5format.read_dataset_info(split_path(hdf5_dir, "train"))["rows"]
    return len(pipeline.batch_bounds(rows, global_batch_size, replicas))
