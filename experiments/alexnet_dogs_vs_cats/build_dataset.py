"""Build the Dogs vs. Cats HDF5 files once: 256x256 uint8 train/val/test plus the training mean.

    python experiments/alexnet_dogs_vs_cats/build_dataset.py                         # catalog download
    python experiments/alexnet_dogs_vs_cats/build_dataset.py --dataset path/to/kaggle/train
    python experiments/alexnet_dogs_vs_cats/build_dataset.py --dataset path/to/PetImages

`--dataset` takes the catalog name `dogs-vs-cats`, Kaggle's flat `train/` folder (`cat.123.jpg`,
`dog.456.jpg`) or a folder of class subfolders. Corrupt images are skipped and listed in
<output>/build_report.txt. The output folder appears only when the whole build succeeded. Every
flag of `pyimagesearch-build-hdf5` works here (`--help`).
"""

import sys

import config
from pyimagesearch.cli import build_hdf5

if __name__ == "__main__":
    sys.exit(build_hdf5.experiment_main(config, description=__doc__))
