"""Extract ResNet50 features (average-pooled, 2,048 values) of Dogs vs. Cats into an HDF5 file.

    python experiments/resnet50_dogs_vs_cats/extract_features.py                        # catalog download
    python experiments/resnet50_dogs_vs_cats/extract_features.py --dataset path/to/kaggle/train
    python experiments/resnet50_dogs_vs_cats/extract_features.py \
        --dataset datasets/dogs-vs-cats-hdf5/train.hdf5 --output datasets/features/dogs_vs_cats_train_resnet50.hdf5
    python experiments/resnet50_dogs_vs_cats/extract_features.py --precision mixed_bfloat16

`--dataset` takes the catalog name `dogs-vs-cats`, Kaggle's flat `train/` folder (`cat.123.jpg`;
recognised automatically, `--layout flat|folders` forces one), a folder of class subfolders, or
an image HDF5 file made by the builder. Corrupt photos are skipped and named at the end. Every
flag of the package's command line works here (`pyimagesearch-extract-features --help`).
"""

import sys

import config
from pyimagesearch.cli import extract_features

if __name__ == "__main__":
    sys.exit(extract_features.experiment_main(config, description=__doc__))
