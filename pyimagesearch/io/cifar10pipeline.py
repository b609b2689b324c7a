"""tf.data pipelines over CIFAR-10 arrays in memory (`datasets.cifar10.load_cifar10`).

    data = cifar10.load_cifar10("synthetic-cifar10")
    train_dataset, test_dataset = cifar10pipeline.make_cifar10_datasets(data, global_batch_size=64, seed=42)

Pixels are scaled to [0, 1] and labels one-hot encoded, as the course's CIFAR-10 chapters do
(no mean subtraction). Augmentation, when given, is applied to the training batches only; the
test dataset keeps every image, in order, so its predictions line up with `data.test_labels`.
"""

from pyimagesearch.io import pipeline
from pyimagesearch.utils import strategy, validation


def make_cifar10_datasets(data, global_batch_size, seed, augmentation=None):
    """(training dataset, reshuffled every epoch from `seed`; test dataset, in order)."""
    classes = len(data.class_names)
    train_dataset = pipeline.make_array_dataset(
        data.train_images, data.train_labels, global_batch_size,
        pipeline.make_batch_transform(classes, augmentation=augmentation),
        shuffle=True, seed=seed,
    )
    return train_dataset, make_test_dataset(data, global_batch_size)


def make_test_dataset(data, global_batch_size):
    """The test images in order, scaled to [0, 1], with one-hot labels; nothing is dropped."""
    return pipeline.make_array_dataset(
        data.test_images, data.test_labels, global_batch_size, pipeline.make_batch_transform(len(data.class_names))
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
