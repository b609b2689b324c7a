"""Rank-1 and rank-5 accuracy on the test file (the official val images), as the course's rank_accuracy.py.

    python experiments/deepergooglenet_tiny_imagenet/rank_accuracy.py                 # the latest run's model
    python experiments/deepergooglenet_tiny_imagenet/rank_accuracy.py --run output/deepergooglenet_tiny_imagenet/<run-id>
    python experiments/deepergooglenet_tiny_imagenet/rank_accuracy.py --run <run> --model <run>/checkpoints/epoch_25.keras

The run's config.json names the HDF5 folder; `--model` scores another model of the run (a
checkpoint) instead of its model.keras. The result is printed and written to
<run>/rank_accuracy.json, which names the model it scored.
"""

import sys

import config
from pyimagesearch.training import tinyimagenetrun
from pyimagesearch.utils import cli


def main():
    tinyimagenetrun.rank_accuracy_command(config.EXPERIMENT, config.OUTPUT, config.BATCH_SIZE, description=__doc__)


if __name__ == "__main__":
    sys.exit(cli.run(main))
