"""HDF5 datasets and input pipelines: write, build, and read image collections for training.

    from pyimagesearch.io import HDF5DatasetWriter, build_hdf5_dataset, make_hdf5_dataset

Names are imported on first use (PEP 562), so `from pyimagesearch.io import HDF5DatasetWriter`
or the builder's worker processes don't pay for importing TensorFlow; only the tf.data and
Keras readers pull it in.
"""

from pyimagesearch.utils import lazyexports

_EXPORTS = {
    "HDF5DatasetWriter": "pyimagesearch.io.hdf5datasetwriter",
    "HDF5DatasetGenerator": "pyimagesearch.io.hdf5datasetgenerator",
    "InvalidDatasetFileError": "pyimagesearch.io.hdf5format",
    "open_dataset_file": "pyimagesearch.io.hdf5format",
    "read_dataset_info": "pyimagesearch.io.hdf5format",
    "read_mean": "pyimagesearch.io.hdf5format",
    "build_hdf5_dataset": "pyimagesearch.io.builder",
    "build_from_dataset": "pyimagesearch.io.builder",
    "make_hdf5_dataset": "pyimagesearch.io.hdf5pipeline",
    "make_hdf5_slices": "pyimagesearch.io.hdf5pipeline",
    "predict_hdf5": "pyimagesearch.io.hdf5pipeline",
    "make_batch_transform": "pyimagesearch.io.pipeline",
    "make_array_dataset": "pyimagesearch.io.pipeline",
    "global_batch_size": "pyimagesearch.io.pipeline",
    "resize_batch": "pyimagesearch.io.pipeline",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazyexports.lazy_exports(__name__, _EXPORTS)
