"""The course's way, re-created for measurement only (never used by the package).

- `CourseHDF5DatasetWriter` is the course's writer: one process, a float64 `images` dataset
  (`dtype="float"`), int64 labels, a Python-list buffer flushed every `buffer_size` rows.
- `course_build` is the course's build script (build_dogs_vs_cats.py) applied to any split:
  `cv2.imread` (full-size decode), `AspectAwarePreprocessor`, the per-image `cv2.mean` of the
  training images for the mean file, then `writer.add([image], [label])`.
- `CourseHDF5DatasetGenerator` is the course's generator: contiguous float64 slices in file
  order, `to_categorical`, per-image preprocessors, then the augmentation.
- `CourseAugmentation` stands in for Keras 2's `ImageDataGenerator.flow`, which Keras 3
  removed. It does the same per-image Python work as `ImageDataGenerator.random_transform`
  and `apply_affine_transform` in Keras 2.x: draw a rotation, shifts, shear and zoom, compose
  one 3x3 affine matrix about the image centre, and resample every channel separately with
  `scipy.ndimage.affine_transform(order=1, mode="nearest")`, then flip horizontally with
  probability 1/2. (A cv2.warpAffine per image would be faster than what the course ran,
  so it would flatter the course's path.)
"""

import json

import cv2
import h5py
import numpy as np
from scipy import ndimage

from pyimagesearch.preprocessing import AspectAwarePreprocessor


class CourseHDF5DatasetWriter:
    """The course's HDF5DatasetWriter, as published (float64 images, no temporary file)."""

    def __init__(self, dims, output_path, data_key="images", buffer_size=1000):
        self.db = h5py.File(output_path, "w")
        self.data = self.db.create_dataset(data_key, dims, dtype="float")
        self.labels = self.db.create_dataset("labels", (dims[0],), dtype="int")
        self.buffer_size = buffer_size
        self.buffer = {"data": [], "labels": []}
        self.index = 0

    def add(self, rows, labels):
        self.buffer["data"].extend(rows)
        self.buffer["labels"].extend(labels)
        if len(self.buffer["data"]) >= self.buffer_size:
            self.flush()

    def flush(self):
        end = self.index + len(self.buffer["data"])
        self.data[self.index : end] = self.buffer["data"]
        self.labels[self.index : end] = self.buffer["labels"]
        self.index = end
        self.buffer = {"data": [], "labels": []}

    def store_class_labels(self, class_labels):
        dtype = h5py.special_dtype(vlen=str)
        label_set = self.db.create_dataset("label_names", (len(class_labels),), dtype=dtype)
        label_set[:] = class_labels

    def close(self):
        if len(self.buffer["data"]) > 0:
            self.flush()
        self.db.close()


def course_build(splits, label_names, output_dir, width, height):
    """Writes one float64 file per split the course's way; returns the number of images."""
    preprocessor = AspectAwarePreprocessor(width, height)
    red, green, blue = [], [], []
    written = 0
    for split, (paths, labels) in splits.items():
        writer = CourseHDF5DatasetWriter((len(paths), height, width, 3), str(output_dir / f"{split}.hdf5"))
        writer.store_class_labels(label_names)
        for path, label in zip(paths, labels):
            image = cv2.imread(path)
            image = preprocessor.preprocess(image)
            if split == "train":
                (b, g, r) = cv2.mean(image)[:3]
                red.append(r)
                green.append(g)
                blue.append(b)
            writer.add([image], [label])
            written += 1
        writer.close()
    with open(output_dir / "mean.json", "w") as handle:
        handle.write(json.dumps({"R": np.mean(red), "G": np.mean(green), "B": np.mean(blue)}))
    return written


class CourseAugmentation:
    """Per-image random affine augmentation, the way Keras 2's ImageDataGenerator did it."""

    def __init__(self, rotation_range=30, width_shift_range=0.1, height_shift_range=0.1, shear_range=0.2,
                 zoom_range=0.2, horizontal_flip=True, seed=None):
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.zoom_range = (1 - zoom_range, 1 + zoom_range)
        self.horizontal_flip = horizontal_flip
        self.random = np.random.default_rng(seed)

    def flow(self, images, labels, batch_size=32, shuffle=False):
        """One batch, like `next(ImageDataGenerator.flow(...))` with shuffle=False."""
        batch = np.zeros(images.shape, dtype=np.float32)
        for index, image in enumerate(images):
            batch[index] = self.random_transform(image.astype(np.float32))
        yield batch, labels

    def random_transform(self, image):
        rows, columns = image.shape[0], image.shape[1]
        theta = np.deg2rad(self.random.uniform(-self.rotation_range, self.rotation_range))
        tx = self.random.uniform(-self.height_shift_range, self.height_shift_range) * rows
        ty = self.random.uniform(-self.width_shift_range, self.width_shift_range) * columns
        shear = self.random.uniform(-self.shear_range, self.shear_range)  # radians, as in Keras 2.0
        zx, zy = self.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        matrix = _affine_matrix(theta, tx, ty, shear, zx, zy)
        matrix = _about_centre(matrix, rows, columns)
        channels = [
            ndimage.affine_transform(image[..., channel], matrix[:2, :2], matrix[:2, 2], order=1, mode="nearest")
            for channel in range(image.shape[2])
        ]
        image = np.stack(channels, axis=-1)
        if self.horizontal_flip and self.random.random() < 0.5:
            image = image[:, ::-1]
        return image


def _affine_matrix(theta, tx, ty, shear, zx, zy):
    rotation = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    shearing = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    return rotation @ shift @ shearing @ zoom


def _about_centre(matrix, rows, columns):
    x, y = rows / 2 + 0.5, columns / 2 + 0.5
    offset = np.array([[1, 0, x], [0, 1, y], [0, 0, 1]])
    reset = np.array([[1, 0, -x], [0, 1, -y], [0, 0, 1]])
    return offset @ matrix @ reset


class CourseHDF5DatasetGenerator:
    """The course's HDF5DatasetGenerator, as published: no shuffling, key "images"."""

    def __init__(self, db_path, batch_size, preprocessors=None, aug=None, binarize=True, classes=2):
        self.batch_size = batch_size
        self.preprocessors = preprocessors
        self.aug = aug
        self.binarize = binarize
        self.classes = classes
        self.db = h5py.File(db_path, "r")
        self.num_images = self.db["labels"].shape[0]

    def generator(self, passes=np.inf):
        epochs = 0
        while epochs < passes:
            for i in np.arange(0, self.num_images, self.batch_size):
                images = self.db["images"][i : i + self.batch_size]
                labels = self.db["labels"][i : i + self.batch_size]
                if self.binarize:
                    labels = np.eye(self.classes, dtype=np.float32)[labels]  # to_categorical
                if self.preprocessors is not None:
                    processed = []
                    for image in images:
                        for preprocessor in self.preprocessors:
                            image = preprocessor.preprocess(image)
                        processed.append(image)
                    images = np.array(processed)
                if self.aug is not None:
                    (images, labels) = next(self.aug.flow(images, labels, batch_size=self.batch_size))
                yield (images, labels)
            epochs += 1

    def close(self):
        self.db.close()


class ScalePreprocessor:
    """Per-image scaling to [0, 1] (the course scaled with `data.astype("float") / 255.0`)."""

    def preprocess(self, image):
        return image.astype(np.float32) / 255.0
