"""Build the Tiny ImageNet HDF5 files once: train, val (held out of train) and test (the official val).

    python experiments/deepergooglenet_tiny_imagenet/build_dataset.py                    # tiny-imagenet-200
    python experiments/deepergooglenet_tiny_imagenet/build_dataset.py --dataset synthetic-tiny-imagenet --val-per-class 10

`--dataset` is a catalog name (`tiny-imagenet-200`, downloaded and md5-checked on first use;
`synthetic-tiny-imagenet`, generated offline) or a folder with Tiny ImageNet's layout. The
output (default datasets/<name>-hdf5) holds train.hdf5, val.hdf5 and test.hdf5 (64x64 uint8),
<name>_mean.json (the training split's mean), classes.tsv and build_report.txt:
- val: --val-per-class images of every class taken out of the training folder (seeded by --seed);
- test: the official val folder, labelled through val/val_annotations.txt.
It appears only when the whole build succeeded. Both Tiny ImageNet experiments train from it.
"""

import argparse
import pathlib
import sys

import config
from pyimagesearch.io import builder, tinyimagenetbuilder
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=config.DATASET, help="tiny-imagenet-200, synthetic-tiny-imagenet, or a folder")
    parser.add_argument("--output", default=None, help=f"the folder to create (default: {config.HDF5_DIR_FORMAT})")
    parser.add_argument("--val-per-class", type=int, default=config.VAL_PER_CLASS, help="held out of train for val")
    parser.add_argument("--seed", type=int, default=config.SEED, help="picks the held-out images and the row order")
    parser.add_argument("--workers", type=int, default=None, help="decoding threads (default: all CPUs)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True)
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    # A folder given as --dataset names the default output by its last part.
    output = arguments.output or config.HDF5_DIR_FORMAT.format(name=pathlib.Path(arguments.dataset).name)
    result = tinyimagenetbuilder.build_tiny_imagenet_hdf5(
        arguments.dataset, output, seed=arguments.seed, val_per_class=arguments.val_per_class,
        workers=arguments.workers, overwrite=arguments.overwrite, progress=arguments.progress,
    )
    builder.print_summary(result)


if __name__ == "__main__":
    sys.exit(cli.run(main))
