"""Checks to run before a long run: can the model overfit a few images, and what does augmentation show it?

- `--overfit N` (`overfit_dataset`, `overfit_verdict`): train on N training images with
  augmentation off and validate on the same images. A network that can't drive its training
  accuracy to 0.99 on 20 images has a bug (labels, loss, a frozen layer, a far too low or high
  learning rate) that no tuning will fix, so this is the first thing to try on new code or data.
- `--preview-augmentation` (`write_augmentation_preview`): a grid of the first training batch as
  the network receives it (after augmentation and preprocessing), so a user can see whether the
  flips, shifts and crops still show the object.
"""

import math
import pathlib

import numpy as np

from pyimagesearch.utils import atomic, errors, validation

OVERFIT_ACCURACY = 0.99
PREVIEW_NAME = "augmentation.png"
PREVIEW_IMAGES = 16
PREVIEW_TILE_SIDE = 128  # small inputs (32x32) are enlarged, pixel by pixel, to at least this


def overfit_dataset(train_dataset, count, batch_size):
    """The first `count` images of one pass over `train_dataset` (batches of (images, labels)),
    cached so every epoch sees exactly the same images, in batches of `batch_size`.

    Caching also freezes whatever random crop a pipeline still applies with augmentation off.
    """
    validation.check_integer("--overfit", count, minimum=1)
    subset = train_dataset.unbatch().take(count).cache()
    available = sum(1 for _ in subset)
    if available < count:
        raise errors.InvalidArgumentError(
            f"--overfit asks for more images than the training split has ({available}). Received: --overfit {count}"
        )
    return subset.batch(batch_size)


def overfit_verdict(history, count, target=OVERFIT_ACCURACY):
    """(reached, message) from a Keras history dict of the overfit run: whether training accuracy
    reached `target`, and in which epoch (1-based)."""
    accuracy = _accuracy_series(history)
    if accuracy is None:
        losses = history.get("loss") or [math.nan]
        return False, (f"--overfit {count}: the model reports no accuracy; final training loss {losses[-1]:.4g} "
                       f"(it should approach 0)")
    reached = [epoch for epoch, value in enumerate(accuracy, start=1) if value is not None and value >= target]
    best = max(value for value in accuracy if value is not None)
    if reached:
        return True, (f"--overfit {count}: training accuracy reached {target} in epoch {reached[0]} "
                      f"(final {accuracy[-1]:.3f}): the model and the data can be fitted.")
    return False, (f"--overfit {count}: training accuracy did NOT reach {target} in {len(accuracy)} epochs "
                   f"(best {best:.3f}). Check the labels, the loss, frozen layers and the learning rate "
                   f"before tuning anything; or train longer (--epochs).")


def _accuracy_series(history):
    for name in ("accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy"):
        if history.get(name):
            return history[name]
    return None


def write_augmentation_preview(train_dataset, path, count=PREVIEW_IMAGES):
    """Writes a grid of up to `count` images from the first batches of `train_dataset` to `path`
    (a PNG), each stretched to the full 0-255 range so mean-subtracted or [0, 1] inputs show.

    Images are taken to be BGR, as the package decodes them, and written as such by OpenCV.
    """
    import cv2

    validation.check_integer("count", count, minimum=1)
    images = []
    for batch_images, _ in train_dataset:
        images.extend(np.asarray(batch_images, dtype=np.float32))
        if len(images) >= count:
            break
    if not images:
        raise errors.InvalidArgumentError("The training dataset is empty, so there is nothing to preview.")
    grid = _grid([_to_uint8(image) for image in images[:count]])
    path = pathlib.Path(path)
    with atomic.atomic_output_path(path) as temporary_path:
        ok, encoded = cv2.imencode(".png", grid)
        if not ok:
            raise errors.InvalidFileError(f"OpenCV could not encode the preview for {path}")
        temporary_path.write_bytes(encoded.tobytes())
    return path


def _to_uint8(image):
    low, high = float(image.min()), float(image.max())
    scaled = (image - low) / (high - low) * 255 if high > low else np.zeros_like(image)
    factor = max(1, math.ceil(PREVIEW_TILE_SIDE / max(image.shape[:2])))
    enlarged = np.repeat(np.repeat(scaled, factor, axis=0), factor, axis=1)
    return np.clip(enlarged, 0, 255).astype(np.uint8)


def _grid(images, gap=2):
    columns = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / columns)
    height, width, depth = images[0].shape
    grid = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap, depth), 255, dtype=np.uint8)
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        grid[top:top + height, left:left + width] = image
    return grid
