"""Rebuild the test-set classification report of a MiniGoogLeNet run from its folder alone.

    python experiments/minigooglenet_cifar10/evaluate.py --help

The steps and flags are those of every CIFAR-10 run with its training mean subtracted
(`pyimagesearch.training.cifar10run.evaluate_command`).
"""

import sys

import config
from pyimagesearch.training import cifar10run

if __name__ == "__main__":
    sys.exit(cifar10run.evaluate_main(config))
