"""pyimagesearch: deep learning for computer vision with Keras 3 and TensorFlow."""

import os

# TensorFlow prints pages of C++ start-up notices (CUDA probes, oneDNN) that bury the
# messages of our scripts. Warnings and errors still show; set TF_CPP_MIN_LOG_LEVEL=0 to see all.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
