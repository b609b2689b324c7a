"""Decoding images for the HDF5 builder, in its worker threads, worker processes or own thread.

A module of its own so that the worker processes' forkserver imports only OpenCV, NumPy and
the image reader, not the builder with its scikit-learn import.
"""

import cv2

from pyimagesearch.datasets import imagefiles

# Set once in each worker process, so the preprocessors are not pickled with every task.
_worker_state = {}


def initialize_worker(target_size, preprocessors, max_pixels=imagefiles.MAX_IMAGE_PIXELS):
    # One OpenCV thread per worker process: the processes are the parallelism.
    cv2.setNumThreads(1)
    _worker_state["target_size"] = target_size
    _worker_state["preprocessors"] = preprocessors
    _worker_state["max_pixels"] = max_pixels


def decode_chunk_in_worker(paths):
    """`decode_chunk` with the settings `initialize_worker` gave this process."""
    return decode_chunk(
        paths, _worker_state["target_size"], _worker_state["preprocessors"], _worker_state["max_pixels"]
    )


def decode_chunk(paths, target_size, preprocessors, max_pixels=imagefiles.MAX_IMAGE_PIXELS):
    return [decode(path, target_size, preprocessors, max_pixels) for path in paths]


def decode(path, target_size, preprocessors, max_pixels=imagefiles.MAX_IMAGE_PIXELS):
    """Returns (image, None), or (None, reason) for a file that can't be read or processed.

    `max_pixels` is `imagefiles.read_image`'s: a larger image is refused before it is decoded.
    """
    try:
        image = imagefiles.read_image(path, target_size=target_size, max_pixels=max_pixels)
        for preprocessor in preprocessors:
            image = preprocessor.preprocess(image)
    except imagefiles.ImageReadError as error:
        return None, error.reason
    except cv2.error as error:
        return None, f"OpenCV could not process it ({getattr(error, 'err', None) or error})"
    return image, None
