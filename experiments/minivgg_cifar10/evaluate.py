"""Rebuild the test-set classification report from a run folder alone.

    python experiments/minivgg_cifar10/evaluate.py                 # the latest run
    python experiments/minivgg_cifar10/evaluate.py --run output/minivgg_cifar10/<run-id>

It reads config.json (which names the dataset) and model.keras, reloads the test images with
`load_cifar10`, predicts them again, writes classification_report.txt, metrics.json and
confusion_matrix.png into <run>/evaluation/ and prints the accuracy train.py recorded next to it.
"""

import sys

import config
from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.training import flags, reports, runs
from pyimagesearch.utils import cli


def main():
    arguments = flags.parse_evaluate_command(__doc__, output=config.OUTPUT)
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    data = cifar10.load_cifar10(saved["dataset"])
    test_dataset = cifar10pipeline.make_test_dataset(data, arguments.batch_size)
    evaluation_dir = run_dir / "evaluation"
    metrics = reports.evaluate_and_report(model, test_dataset, data.test_labels, data.class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    sys.exit(cli.run(main))
