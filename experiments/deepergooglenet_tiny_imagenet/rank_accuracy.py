"""Rank-1 and rank-5 accuracy on the test file (the official val images), as the course's rank_accuracy.py.

    python experiments/deepergooglenet_tiny_imagenet/rank_accuracy.py                 # the latest run's model
    python experiments/deepergooglenet_tiny_imagenet/rank_accuracy.py --run output/deepergooglenet_tiny_imagenet/<run-id>
    python experiments/deepergooglenet_tiny_imagenet/rank_accuracy.py --run <run> --model <run>/checkpoints/epoch_25.keras

The run's config.json names the HDF5 folder; `--model` scores another model of the run (a
checkpoint) instead of its model.keras. The result is printed and written to
<run>/rank_accuracy.json, which names the model it scored.
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
    parser.add_argument("--model", default=None, help="a .keras model to score (default: <run>/model.keras)")
    parser.add_argument("--batch-size", type=int, default=config.BATCH_SIZE)
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    tinyimagenetrun.rank_accuracy(arguments.run, arguments.output, config.EXPERIMENT, arguments.model, arguments.batch_size)


if __name__ == "__main__":
    sys.exit(cli.run(main))
