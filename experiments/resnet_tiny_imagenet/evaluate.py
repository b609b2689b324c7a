"""Score a ResNet run on test.hdf5 again: classification report, rank-1 and rank-5, into <run>/evaluation/.

    python experiments/resnet_tiny_imagenet/evaluate.py [--run output/resnet_tiny_imagenet/<run-id>]

Only the run folder is read (config.json for the HDF5 folder, model.keras); the default is the
latest run. What train.py recorded is printed beside the new figures.
"""

import sys

import config
from pyimagesearch.training import tinyimagenetrun
from pyimagesearch.utils import cli


def main():
    tinyimagenetrun.evaluate_command(config.EXPERIMENT, config.OUTPUT, config.BATCH_SIZE, description=__doc__)


if __name__ == "__main__":
    sys.exit(cli.run(main))
