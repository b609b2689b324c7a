"""Keep only some classes of an image folder, e.g. three of the ten digits for a three-class run.

    paths = imagefiles.list_images(dataset_root)
    paths = classselection.select_classes(paths, ["0", "1", "2"], dataset_root)

A class is an image's parent folder, as everywhere in the package (`splits.class_names_from_paths`).
"""

import pathlib

from pyimagesearch.datasets import splits
from pyimagesearch.utils import errors


def select_classes(paths, classes, dataset_root):
    """Returns the paths whose class is in `classes`, in their original order.

    `classes` None keeps every path. A name that is not a class of `paths` is a user error
    listing the classes there are, so a typo never trains a smaller problem than meant; so is
    a list naming fewer than two distinct classes (no classifier can be trained on one).
    """
    paths = list(paths)
    if classes is None:
        return paths
    if isinstance(classes, str) or not all(isinstance(name, str) for name in classes):
        raise errors.InvalidArgumentError(
            f"`classes` must be a list of class folder names. Received: classes={classes!r}"
        )
    wanted = list(dict.fromkeys(classes))
    available = splits.class_names_from_paths(paths)
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise errors.InvalidArgumentError(
            f"{dataset_root} has no class folder {', '.join(map(repr, unknown))} (its classes: "
            f"{', '.join(available)}). Received: classes={list(classes)}"
        )
    if len(wanted) < 2:
        raise errors.InvalidArgumentError(
            f"A classifier needs at least 2 classes. Received: classes={list(classes)}"
        )
    return [path for path in paths if pathlib.Path(path).parent.name in wanted]
