"""Build the Dogs vs. Cats HDF5 files once: 256x256 uint8 train/val/test plus the training mean.

    python experiments/alexnet_dogs_vs_cats/build_dataset.py                         # catalog download
    python experiments/alexnet_dogs_vs_cats/build_dataset.py --dataset path/to/kaggle/train
    python experiments/alexnet_dogs_vs_cats/build_dataset.py --dataset path/to/PetImages

`--dataset` takes the catalog name `dogs-vs-cats`, Kaggle's flat `train/` folder (`cat.123.jpg`,
`dog.456.jpg`) or a folder of class subfolders. Corrupt images are skipped and listed in
<output>/build_report.txt. The output folder appears only when the whole build succeeded.
"""

import argparse

import config
from pyimagesearch.io import builder
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=config.DATASET, help="catalog name, Kaggle's train/ or class folders")
    parser.add_argument("--output", default=config.HDF5_DIR, help="folder to create")
    parser.add_argument("--image-size", type=int, default=config.IMAGE_SIZE)
    parser.add_argument("--val-size", type=builder.parse_split_size, default=config.NUM_VAL_IMAGES, help="images or fraction")
    parser.add_argument("--test-size", type=builder.parse_split_size, default=config.NUM_TEST_IMAGES, help="images or fraction")
    parser.add_argument("--layout", choices=builder.LAYOUTS, default="auto")
    parser.add_argument("--workers", type=int, default=None, help="decoding threads (default: all CPUs)")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--overwrite", action="store_true")
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    builder.build_from_dataset(
        arguments.dataset,
        arguments.output,
        arguments.image_size,
        arguments.image_size,
        layout=arguments.layout,
        name=config.DATASET_NAME,
        val_size=arguments.val_size,
        test_size=arguments.test_size,
        seed=arguments.seed,
        workers=arguments.workers,
        overwrite=arguments.overwrite,
    )


if __name__ == "__main__":
    cli.run(main)
