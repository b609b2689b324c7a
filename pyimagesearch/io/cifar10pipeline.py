"""tf.data pipelines over CIFAR-10 arrays in memory (`datasets.cifar10.load_cifar10`).

    data = cifar10.load_cifar10("synthetic-cifar10")
    train_dataset, test_dataset = cifar10pipeline.make_cifar10_datasets(data, global_batch_size=64, seed=42)

Pixels are scaled to [0, 1] and labels one-hot encoded. The chapters that subtract a mean
(MiniGoogLeNet, ResNet) pass `mean=training_mean(data)`: the per-channel mean of the training
split only, subtracted identically from training and test batches before the scaling.
Augmentation, when given, is applied to the training batches only (`shift_flip_augmentation`
is those chapters' setting); the test dataset keeps every image, in order, so its predictions
line up with `data.test_labels`.
"""

import numpy as np

from pyimagesearch.io import hdf5format, pipeline
from pyimagesearch.preprocessing import augmentation as augmentation_module
from pyimagesearch.utils import errors, strategy, validation


def make_cifar10_datasets(data, global_batch_size, seed, augmentation=None, mean=None):
    """(training dataset, reshuffled every epoch from `seed`; test dataset, in order).

    `augmentation` (e.g. `shift_flip_augmentation(seed)`) reaches the training batches only;
    `mean` ({"R", "G", "B"} or (B, G, R), in pixel units) is subtracted from both.
    """
    classes = len(data.class_names)
    train_dataset = pipeline.make_array_dataset(
        data.train_images, data.train_labels, global_batch_size,
        pipeline.make_batch_transform(classes, mean=mean, augmentation=augmentation),
        shuffle=True, seed=seed,
    )
    return train_dataset, make_test_dataset(data, global_batch_size, mean=mean)


def make_test_dataset(data, global_batch_size, mean=None):
    """The test images in order, minus `mean` if given, scaled by 1/255, with one-hot labels;
    nothing is dropped."""
    return pipeline.make_array_dataset(
        data.test_images, data.test_labels, global_batch_size,
        pipeline.make_batch_transform(len(data.class_names), mean=mean),
    )


def training_mean(data):
    """The per-channel mean of the TRAINING images only, as the course's {"R", "G", "B"} (pixel units).

    The test images never enter it, so nothing about them leaks into the preprocessing.
    """
    images = np.asarray(data.train_images)
    if images.ndim != 4 or images.shape[-1] != 3 or len(images) == 0:
        raise errors.InvalidArgumentError(
            f"The training images must be a non-empty (N, height, width, 3) array. Received: shape={images.shape}"
        )
    # A float64 accumulator over a view: no float copy of the 50,000 images.
    bgr_mean = images.reshape(-1, 3).mean(axis=0, dtype=np.float64)
    return hdf5format.mean_to_json(bgr_mean)


def shift_flip_augmentation(seed=None):
    """The MiniGoogLeNet and ResNet chapters' augmentation: shifts of up to 10% and horizontal flips.

    The course's `ImageDataGenerator(width_shift_range=0.1, height_shift_range=0.1,
    horizontal_flip=True, fill_mode="nearest")`: no rotation, shear or zoom.
    """
    return augmentation_module.build_augmentation(
        rotation=0, width_shift=0.1, height_shift=0.1, shear=0, zoom=0, horizontal_flip=True,
        fill_mode="nearest", seed=seed,
    )


def steps_per_epoch(rows, global_batch_size, replicas=None):
    """How many batches a shuffled `make_array_dataset` over `rows` rows gives per epoch.

    It is what a step-based learning-rate schedule needs to turn epochs into optimizer steps.
    Like the dataset, a last partial batch counts unless it has fewer rows than replicas
    (then it is left out; see `pipeline.make_array_dataset`).
    """
    rows = validation.check_positive_integer("rows", rows)
    global_batch_size = validation.check_positive_integer("global_batch_size", global_batch_size)
    replicas = strategy.replica_count() if replicas is None else replicas
    if rows < global_batch_size:
        return 1
    tail = rows % global_batch_size
    return rows // global_batch_size + (1 if tail >= replicas else 0)
