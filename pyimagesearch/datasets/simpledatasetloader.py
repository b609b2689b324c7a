"""Load a list of image files into memory, the course's way: one folder per class.

    loader = SimpleDatasetLoader(preprocessors=[SimplePreprocessor(32, 32)])
    data, labels = loader.load(list_images("datasets/animals"), verbose=500)

Unlike the course's loader, a file that can't be decoded (empty, truncated, not an image,
not a regular file, more pixels than `max_image_pixels`) does not stop the load: it is
skipped, recorded with its reason in `loader.skipped`, and counted at the end in one line,
`[INFO] skipped 3 of 5 images (first: ...)`, because real data sets (Dogs vs. Cats has over a
thousand) contain them. Each one is also logged at INFO level.
"""

import logging
import pathlib

import numpy as np
import progressbar

from pyimagesearch.datasets import imagefiles
from pyimagesearch.utils import errors, validation

logger = logging.getLogger(__name__)


class SimpleDatasetLoader:
    """Reads images, applies preprocessors in order, and labels each by its parent folder.

    Args:
        preprocessors: a list of objects with a `preprocess(image)` method, applied in order
            to each uint8 BGR image. None or [] keeps the decoded images as they are.
        target_size: `(width, height)` passed to `imagefiles.read_image` as a decoding hint:
            a large JPEG may be decoded at 1/2, 1/4 or 1/8 size (never below the target),
            which is much faster. A preprocessor still does the actual resize.
        max_image_pixels: images with more pixels are skipped before they are decoded
            (`imagefiles.read_image`'s `max_pixels`; default Pillow's limit; None: no limit).
    """

    def __init__(self, preprocessors=None, target_size=None, max_image_pixels=imagefiles.MAX_IMAGE_PIXELS):
        self.preprocessors = _check_preprocessors(preprocessors)
        self.target_size = _check_target_size(target_size)
        self.max_image_pixels = imagefiles.check_max_image_pixels(max_image_pixels)
        # (path, reason) of every file the last `load` could not read.
        self.skipped = []

    def load(self, image_paths, verbose=True, report_skipped=True):
        """Returns `(data, labels)`: a NumPy array of the images and one of the labels (str).

        `verbose`: True shows a progress bar; a positive int prints the course's
        "[INFO] processed i/N" every `verbose` images; False, 0 or -1 is silent.

        Unreadable images are skipped (see `self.skipped`); `report_skipped` prints the one
        line `[INFO] skipped N of M images (first: path: reason)` when there are any (a
        caller that reports them itself passes False). Raises ValueError when `image_paths`
        is empty, when no image at all can be read, or when the images come out with
        different shapes (add a resizing preprocessor).
        """
        image_paths = _check_image_paths(image_paths)
        _check_verbose(verbose)
        validation.check_booleans(report_skipped=report_skipped)
        self.skipped = []
        data, labels = [], []
        for index, path in enumerate(_progress(image_paths, verbose)):
            image = self._read(path)
            if image is not None:
                data.append(image)
                labels.append(pathlib.Path(path).parent.name)
            if _is_course_verbose(verbose) and (index + 1) % verbose == 0:
                print(f"[INFO] processed {index + 1}/{len(image_paths)}")
        self._check_any_read(len(image_paths))
        if report_skipped and self.skipped:
            print(imagefiles.skipped_summary(self.skipped, len(image_paths)))
        return _stack(data, image_paths), np.array(labels)

    def _read(self, path):
        """Returns the preprocessed image, or None (logged) if it can't be read."""
        try:
            image = imagefiles.read_image(path, self.target_size, self.max_image_pixels)
        except imagefiles.ImageReadError as error:
            self.skipped.append((str(path), error.reason))
            logger.info("Skipping %s: %s", errors.display_path(path), error.reason)
            return None
        for preprocessor in self.preprocessors:
            image = preprocessor.preprocess(image)
        return image

    def _check_any_read(self, total):
        if self.skipped and len(self.skipped) == total:
            first_path, first_reason = self.skipped[0]
            raise errors.InvalidArgumentError(
                f"None of the {total} images could be read (first: {errors.display_path(first_path)}: {first_reason}). "
                f"Received: image_paths with {total} unreadable files"
            )


def _stack(data, image_paths):
    shapes = {np.shape(image) for image in data}
    if len(shapes) > 1:
        raise errors.InvalidArgumentError(
            "The images have different shapes after preprocessing, so they can't form one array; "
            "add a resizing preprocessor such as SimplePreprocessor. "
            f"Received: {len(shapes)} shapes, e.g. {sorted(shapes)[:3]}"
        )
    return np.array(data)


def _progress(image_paths, verbose):
    if verbose is True:
        return progressbar.ProgressBar(max_value=len(image_paths), prefix="loading images: ")(image_paths)
    return image_paths


def _is_course_verbose(verbose):
    return not isinstance(verbose, bool) and verbose > 0


def _check_verbose(verbose):
    if not isinstance(verbose, (bool, int, np.integer)):
        raise errors.InvalidArgumentError(f"`verbose` must be a bool or an int (course style). Received: verbose={verbose!r}")


def _check_preprocessors(preprocessors):
    if preprocessors is None:
        return []
    if not isinstance(preprocessors, (list, tuple)):
        raise errors.InvalidArgumentError(
            "`preprocessors` must be a list of objects with a `preprocess(image)` method. "
            f"Received: preprocessors={preprocessors!r}"
        )
    for preprocessor in preprocessors:
        if not callable(getattr(preprocessor, "preprocess", None)):
            raise errors.InvalidArgumentError(
                "Every preprocessor needs a `preprocess(image)` method. "
                f"Received: preprocessor={preprocessor!r}"
            )
    return list(preprocessors)


def _check_target_size(target_size):
    if target_size is None:
        return None
    valid = (
        isinstance(target_size, (list, tuple))
        and len(target_size) == 2
        and all(validation.is_positive_integer(side) for side in target_size)
    )
    if not valid:
        raise errors.InvalidArgumentError(
            f"`target_size` must be (width, height) of positive ints. Received: target_size={target_size!r}"
        )
    return tuple(int(side) for side in target_size)


def _check_image_paths(image_paths):
    if isinstance(image_paths, (str, pathlib.PurePath)):
        raise errors.InvalidArgumentError(
            "`image_paths` must be a list of image paths, not one path; "
            f"use imagefiles.list_images(folder). Received: image_paths={str(image_paths)!r}"
        )
    image_paths = list(image_paths)
    if not image_paths:
        raise errors.InvalidArgumentError("`image_paths` must name at least one image. Received: image_paths=[]")
    return image_paths
