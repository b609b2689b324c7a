"""Load an image-folder split into uint8 arrays, the course way (aspect-aware).

    parts, skipped = imagefolder.load_split(split, image_size)      # both parts, before a run folder
    parts, skipped = imagefolder.load_split(split, 32, preprocessors=[SimplePreprocessor(32, 32)])
    imagefolder.record_skipped(run_dir, skipped, total)             # skipped.txt and one [INFO] line
    images, labels, skipped = imagefolder.load_split_images(split, "test", image_size)

A class of the split none of whose images in a part can be read is an error that names it:
otherwise the model would never see it, or be scored on it with a support of 0.
"""

import pathlib

import numpy as np

from pyimagesearch.datasets import imagefiles, splits
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor
from pyimagesearch.utils import atomic, errors, validation

# The list of skipped files a run folder keeps.
SKIPPED_LIST_NAME = "skipped.txt"


def load_split_images(split, part, image_size, verbose=True, report_skipped=True,
                      max_image_pixels=imagefiles.MAX_IMAGE_PIXELS, preprocessors=None):
    """Returns (images, labels, skipped) for the "train" or "test" part of `split`.

    Images are uint8 BGR (N, image_size, image_size, 3), resized aspect-aware (shorter side
    to size, centre crop) as the course does for Flowers-17, or by `preprocessors` when given
    (a list for `SimpleDatasetLoader` that must end in uint8 image_size x image_size x 3
    arrays, e.g. the course's SimplePreprocessor for ShallowNet). Labels are integers indexing
    `split["class_names"]`. Unreadable files are left out and returned in `skipped` as
    (path, reason) pairs, so train and evaluate drop the same images; `report_skipped` prints
    the loader's one-line count of them.

    Raises a user error naming the class when a class has files in this part but none of
    them can be read.
    """
    image_size = validation.check_integer("image_size", image_size, minimum=8)
    if preprocessors is None:
        preprocessors = [AspectAwarePreprocessor(image_size, image_size)]
    loader = SimpleDatasetLoader(
        preprocessors=preprocessors,
        target_size=(image_size, image_size),
        max_image_pixels=max_image_pixels,
    )
    paths = splits.split_paths(split, part)
    images, names = loader.load(paths, verbose=verbose, report_skipped=report_skipped)
    _check_every_class_read(paths, names, loader.skipped, part)
    if images.shape[1:] != (image_size, image_size, 3):
        raise errors.InvalidArgumentError(
            f"The preprocessors must make ({image_size}, {image_size}, 3) images, as the networks are built "
            f"for that size. Received: images of shape {images.shape[1:]}"
        )
    index = {name: position for position, name in enumerate(split["class_names"])}
    labels = np.asarray([index[name] for name in names], dtype=np.int64)
    return images.astype(np.uint8, copy=False), labels, loader.skipped


def load_split(split, image_size, verbose=True, max_image_pixels=imagefiles.MAX_IMAGE_PIXELS, preprocessors=None):
    """Loads both parts: returns ({"train": (images, labels), "test": (images, labels)}, skipped).

    `preprocessors` as in `load_split_images`.

    `skipped` holds the (path, reason) of every file left out, the train part's first. Nothing
    is printed about them: see `record_skipped`.
    """
    parts, skipped = {}, []
    for part in ("train", "test"):
        images, labels, part_skipped = load_split_images(
            split, part, image_size, verbose=verbose, report_skipped=False, max_image_pixels=max_image_pixels,
            preprocessors=preprocessors,
        )
        parts[part] = (images, labels)
        skipped += part_skipped
    return parts, skipped


def record_skipped(folder, skipped, total):
    """Writes `folder/skipped.txt` (UTF-8, every skipped path and its reason) and prints one line:

        [INFO] skipped 1 of 28 images (first: .../corrupt.jpg: not a decodable image ...; listed in .../skipped.txt)

    Returns the path of the list. It is written even when nothing was skipped, so a run
    folder always says.
    """
    path = pathlib.Path(folder) / SKIPPED_LIST_NAME
    lines = [f"skipped {len(skipped)} of {total} images" + (" (path<TAB>reason):" if skipped else "")]
    atomic.write_text_atomic(path, "\n".join(lines + imagefiles.skipped_lines(skipped)) + "\n")
    print(imagefiles.skipped_summary(skipped, total, listed_in=path))
    return path


def _check_every_class_read(paths, loaded_names, skipped, part):
    """Refuses a class (parent folder) that has files in `paths` but no image among those loaded."""
    unread = sorted({pathlib.Path(path).parent.name for path in paths} - set(loaded_names.tolist()))
    if not unread:
        return
    first_path, first_reason = next(
        (path, reason) for path, reason in skipped if pathlib.Path(path).parent.name == unread[0]
    )
    names = ", ".join(repr(errors.display_path(name)) for name in unread)
    raise errors.InvalidArgumentError(
        f"No image of class {names} in the {part} part could be read (first: {errors.display_path(first_path)}: "
        f"{first_reason}); fix or remove its files, or remove the class folder. "
        f"Received: {len(unread)} class(es) with no readable {part} image"
    )
