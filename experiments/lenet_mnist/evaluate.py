"""Rebuild the held-out split and the classification report from a run folder alone.

    python experiments/lenet_mnist/evaluate.py                 # the latest run
    python experiments/lenet_mnist/evaluate.py --run output/lenet_mnist/<run-id>

It reads config.json, split.json and model.keras: for a digits run, the test rows split.json
names (made again from scikit-learn's bundled digits, at the size and interpolation it
records); for an MNIST run, the official 10,000 test images of the dataset config.json names.
It predicts them again, writes classification_report.txt, metrics.json and
confusion_matrix.png into <run>/evaluation/ and compares the accuracy with the one train.py
recorded in <run>/metrics.json.
"""

import sys

import config
from pyimagesearch.datasets import digitimages, splits
from pyimagesearch.io import pipeline
from pyimagesearch.training import flags, reports, runs
from pyimagesearch.utils import cli


def load_test_part(run_dir, saved):
    """(images (N, 28, 28) uint8, labels) the run held out."""
    split = splits.load_split(run_dir / "split.json")
    if split.get("dataset") == config.DIGITS:
        return digitimages.load_split_part(split, "test")
    from pyimagesearch.datasets import mnist  # only MNIST runs need it

    _, test_part = mnist.load_mnist(saved["dataset"])
    return test_part


def main():
    arguments = flags.parse_evaluate_command(__doc__, output=config.OUTPUT, batch_size=256)
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    images, labels = load_test_part(run_dir, saved)
    dataset = pipeline.make_array_dataset(
        images[..., None], labels, arguments.batch_size, pipeline.make_batch_transform(config.CLASSES)
    )
    class_names = [str(digit) for digit in range(config.CLASSES)]
    evaluation_dir = run_dir / "evaluation"
    metrics = reports.evaluate_and_report(model, dataset, labels, class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    sys.exit(cli.run(main))
