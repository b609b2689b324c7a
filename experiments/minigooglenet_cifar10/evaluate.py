"""Rebuild the test-set classification report from a run folder alone.

    python experiments/minigooglenet_cifar10/evaluate.py                  # the latest run
    python experiments/minigooglenet_cifar10/evaluate.py --run output/minigooglenet_cifar10/<run-id>

It reads config.json (which names the dataset), mean.json (the training mean the run
subtracted) and model.keras, reloads the test images with `load_cifar10`, predicts them again,
writes classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/
and prints the accuracy train.py recorded next to it. Flags: --run, --output, --batch-size.
"""

import sys

import config
from pyimagesearch.training import cifar10run
from pyimagesearch.utils import cli


def main():
    cifar10run.evaluate_command(config.EXPERIMENT, config.OUTPUT, description=__doc__)


if __name__ == "__main__":
    sys.exit(cli.run(main))
