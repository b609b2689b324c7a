"""Rebuild a run's test report, with rank-1 and rank-5, from the run folder alone.

    python experiments/deepergooglenet_tiny_imagenet/evaluate.py                 # the latest run
    python experiments/deepergooglenet_tiny_imagenet/evaluate.py --run output/deepergooglenet_tiny_imagenet/<run-id>

config.json names the HDF5 folder and model.keras is the trained model. The test images
(test.hdf5: the official val folder) are fed minus the training mean, as in training. The
report (classification_report.txt, metrics.json with rank1 and rank5, confusion_matrix.png)
goes to <run>/evaluation/, and the figures train.py recorded are printed next to it.
"""

import sys

import config
from pyimagesearch.training import tinyimagenetrun
from pyimagesearch.utils import cli


def main():
    tinyimagenetrun.evaluate_command(config.EXPERIMENT, config.OUTPUT, config.BATCH_SIZE, description=__doc__)


if __name__ == "__main__":
    sys.exit(cli.run(main))
