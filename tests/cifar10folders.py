"""A tiny CIFAR-10 folder in the real binary format, for the CIFAR-10 experiments' end-to-end tests."""

import numpy as np

from pyimagesearch.datasets import cifar10


def write_tiny_cifar10(root, train_per_batch=8, test_images=16, seed=0):
    """Writes root/cifar-10-batches-bin/ (5 data batches, test batch, meta) and returns `root`.

    Each image carries a learnable cue (a bright square whose position and channel follow the
    label) on noise; labels cycle through the 10 classes, so every batch holds several.
    """
    folder = root / cifar10.BATCHES_FOLDER
    folder.mkdir(parents=True)
    random = np.random.default_rng(seed)

    def images_and_labels(count, offset):
        labels = (np.arange(count) + offset) % cifar10.NUM_CLASSES
        images = random.integers(0, 80, (count, 32, 32, 3), dtype=np.uint8)
        for image, label in zip(images, labels):
            row, column = divmod(int(label), 5)
            image[4 + 12 * row:14 + 12 * row, 2 + 6 * column:8 + 6 * column, label % 3] = 250
        return images, labels

    for index, name in enumerate(cifar10.TRAIN_BATCHES):
        cifar10.write_batch_file(folder / name, *images_and_labels(train_per_batch, index * train_per_batch))
    cifar10.write_batch_file(folder / cifar10.TEST_BATCH, *images_and_labels(test_images, 0))
    cifar10.write_class_names(folder / cifar10.META_FILE, cifar10.CLASS_NAMES)
    return root
