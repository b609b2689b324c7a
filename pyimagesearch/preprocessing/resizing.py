"""The one resizer factory: a resize mode by name, to the preprocessor that does it.

    resizer = make_resizer("aspect", 256, 256)    # AspectAwarePreprocessor(256, 256)
    image = resizer.preprocess(image)

The HDF5 builder (default "aspect", the course's choice for its HDF5 builds) and feature
extraction (default "stretch", as the course's `load_img(target_size=...)`) both resize with
it, so a mode means the same thing, and is checked the same way, everywhere.
"""

from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor
from pyimagesearch.preprocessing.simplepreprocessor import SimplePreprocessor
from pyimagesearch.utils import validation

# "aspect": scale to cover the size, then centre-crop (AspectAwarePreprocessor).
# "stretch": resize to the size, ignoring the aspect ratio (SimplePreprocessor).
RESIZE_MODES = ("aspect", "stretch")


def make_resizer(resize, width, height):
    """Returns the preprocessor that resizes images to `width` x `height` by mode `resize`.

    Both use OpenCV's INTER_AREA. Raises ValueError for a mode not in `RESIZE_MODES`.
    """
    validation.check_choice("resize", resize, RESIZE_MODES)
    if resize == "aspect":
        return AspectAwarePreprocessor(width, height)
    return SimplePreprocessor(width, height)
