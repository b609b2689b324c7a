"""pyimagesearch: deep learning for computer vision with Keras 3 and TensorFlow."""

__version__ = "0.1.0"
