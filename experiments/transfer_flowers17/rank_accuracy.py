"""Rank-1 and rank-5 accuracy of a trained classifier on the held-out 25% of the features.

    python experiments/transfer_flowers17/rank_accuracy.py                       # the latest run
    python experiments/transfer_flowers17/rank_accuracy.py --run output/transfer_flowers17/<run-id>

The run's config.json names the features file and the split; `--features` points at another
copy of the same file. The result is printed and written to <run>/rank_accuracy.json.
"""

import argparse
import pathlib
import sys

import config
from pyimagesearch.training import runs
from pyimagesearch.transfer import classifiers
from pyimagesearch.utils import atomic, cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--features", default=None, help="features file (default: the one the run trained on)")
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    run_dir = pathlib.Path(arguments.run or runs.latest_run(pathlib.Path(arguments.output) / config.EXPERIMENT))
    result = classifiers.rank_accuracy_of_run(run_dir, arguments.features)
    print(f"[INFO] {run_dir}: {result['samples']} held-out rows of {result['features_path']}")
    print(f"[INFO] rank-1: {result['rank1'] * 100:.2f}%")
    print(f"[INFO] rank-5: {result['rank5'] * 100:.2f}%")
    atomic.write_json_atomic(run_dir / "rank_accuracy.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
