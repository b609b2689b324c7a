"""Extract VGG16 features of Flowers-17 into an HDF5 file (rows shuffled once, seeded).

    python experiments/transfer_flowers17/extract_features.py                     # real Flowers-17
    python experiments/transfer_flowers17/extract_features.py --dataset synthetic-flowers17 \
        --output datasets/features/synthetic_flowers17_vgg16.hdf5                 # offline
    python experiments/transfer_flowers17/extract_features.py --precision mixed_bfloat16

The defaults are the course's (config.py): VGG16 with ImageNet weights and without its
classifier, block5_pool flattened to 25,088 values, batches of 32. Every flag of the package's
command line works here (`pyimagesearch-extract-features --help`): --backbone,
--weights imagenet|none|PATH, --layer, --pooling, --image-size, --precision, --overwrite, ...
"""

import sys

import config
from pyimagesearch.cli import extract_features

if __name__ == "__main__":
    sys.exit(extract_features.experiment_main(config, description=__doc__))
