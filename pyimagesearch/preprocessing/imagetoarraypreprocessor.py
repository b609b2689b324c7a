"""Turn an image into an array laid out the way Keras expects (channels last or first)."""

import keras
import numpy as np

from pyimagesearch.utils import errors

DATA_FORMATS = (None, "channels_last", "channels_first")


class ImageToArrayPreprocessor:
    """Converts an image to a `dtype` array in Keras' image data format.

    `data_format=None` follows `keras.backend.image_data_format()` at call time, so a change of
    the Keras setting after construction is honoured. A 2-D grayscale image gets a channel
    axis, because every network here expects (height, width, depth) or (depth, height, width).
    """

    def __init__(self, data_format=None, dtype="float32"):
        if data_format not in DATA_FORMATS:
            raise errors.InvalidArgumentError(
                "`data_format` must be None, 'channels_last' or 'channels_first'. "
                f"Received: data_format={data_format!r}"
            )
        try:
            dtype = np.dtype(dtype)
        except TypeError as error:
            raise errors.InvalidArgumentError(f"`dtype` must be a NumPy dtype. Received: dtype={dtype!r}") from error
        self.data_format = data_format
        self.dtype = dtype.name

    def preprocess(self, image):
        """Returns `image` as an array of `dtype` in the data format (pixel values unchanged)."""
        return keras.utils.img_to_array(image, data_format=self.data_format, dtype=self.dtype)
