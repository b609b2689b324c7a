"""Rebuild a run's test report, with rank-1 and rank-5, from the run folder alone.

    python experiments/deepergooglenet_tiny_imagenet/evaluate.py                 # the latest run
    python experiments/deepergooglenet_tiny_imagenet/evaluate.py --run output/deepergooglenet_tiny_imagenet/<run-id>

config.json names the HDF5 folder and model.keras is the trained model. The test images
(test.hdf5: the official val folder) are fed minus the training mean, as in training. The
report (classification_report.txt, metrics.json with rank1 and rank5, confusion_matrix.png)
goes to <run>/evaluation/, and the figures train.py recorded are printed next to it.
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
