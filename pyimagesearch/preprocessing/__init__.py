"""Image preprocessors (one per module, each with `preprocess(image)`), resizing and augmentation.

Names are imported on first use, so the per-image preprocessors load without TensorFlow
(the HDF5 builder's workers use them); only the batch forms and augmentation need it.
"""

from pyimagesearch.utils import lazyexports

_EXPORTS = {
    "AspectAwarePreprocessor": "pyimagesearch.preprocessing.aspectawarepreprocessor",
    "CropPreprocessor": "pyimagesearch.preprocessing.croppreprocessor",
    "ImageToArrayPreprocessor": "pyimagesearch.preprocessing.imagetoarraypreprocessor",
    "MeanPreprocessor": "pyimagesearch.preprocessing.meanpreprocessor",
    "PatchPreprocessor": "pyimagesearch.preprocessing.patchpreprocessor",
    "RESIZE_MODES": "pyimagesearch.preprocessing.resizing",
    "RandomAffineAugmentation": "pyimagesearch.preprocessing.augmentation",
    "SimplePreprocessor": "pyimagesearch.preprocessing.simplepreprocessor",
    "build_augmentation": "pyimagesearch.preprocessing.augmentation",
    "make_resizer": "pyimagesearch.preprocessing.resizing",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazyexports.lazy_exports(__name__, _EXPORTS)
