"""Score a ResNet run on test.hdf5 again: classification report, rank-1 and rank-5, into <run>/evaluation/.

    python experiments/resnet_tiny_imagenet/evaluate.py [--run output/resnet_tiny_imagenet/<run-id>]

Only the run folder is read (config.json for the HDF5 folder, model.keras); the default is the
latest run. What train.py recorded is printed beside the new figures.
"""

import argparse
import sys

import config
from pyimagesearch.training import tinyimagenetrun
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=config.BATCH_SIZE)
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    tinyimagenetrun.evaluate(arguments.run, arguments.output, config.EXPERIMENT, arguments.batch_size)


if __name__ == "__main__":
    sys.exit(cli.run(main))
