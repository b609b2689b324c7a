"""A CIFAR-10 run with the training mean subtracted: the steps the MiniGoogLeNet and ResNet experiments share.

    cifar10run.train(arguments, config.EXPERIMENT, build_and_compile)                # train.py
    sys.exit(cifar10run.evaluate_main(config))                                       # evaluate.py

The data comes from `datasets.cifar10.load_cifar10(arguments.dataset)`, read before the run
folder is made (so a missing dataset leaves no empty folder). The per-channel mean of the
training split alone is subtracted from every image, training and test alike, then pixels are
scaled by 1/255; the mean is kept in the run folder as mean.json (`runmean`), where a resumed
run and evaluate.py read it back. With `arguments.augment` the training batches get the
chapters' shifts of up to 10% and horizontal flips (`cifar10pipeline.shift_flip_augmentation`).
The test split is the validation data during training, as in the course, and is scored with
the classification report at the end. The experiment brings only its network and optimizer,
as `build_and_compile(classes, steps_per_epoch)`; `steps_per_epoch` is there for a
learning-rate schedule over optimizer steps, which a checkpoint carries.
"""

import argparse

from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.training import fitting, flags, heldout, reports, runmean, runs
from pyimagesearch.utils import cli

EVALUATION_FOLDER = "evaluation"
AUGMENTATION = "random shifts of up to 10% of the width and height, horizontal flips (fill: nearest)"
DATASET_HELP = "cifar10, synthetic-cifar10, or a folder holding cifar-10-batches-bin/"
# An evaluate.py's --help, for the experiment it names.
EVALUATE_DESCRIPTION = """Rebuild the test-set classification report from a run folder alone.

    python experiments/{experiment}/evaluate.py                  # the latest run
    python experiments/{experiment}/evaluate.py --run output/{experiment}/<run-id>

It reads config.json (which names the dataset), mean.json (the training mean the run
subtracted) and model.keras, reloads the test images with `load_cifar10`, predicts them again,
writes classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/
and prints the accuracy train.py recorded next to it. Flags: --run, --output, --batch-size.
"""


def add_augment_argument(parser, default=True):
    """--augment/--no-augment: the shifts and flips of `AUGMENTATION` on the training batches."""
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=default,
                        help="random shifts of up to 10%% and horizontal flips of the training batches")
    return parser


def train(arguments, experiment, build_and_compile):
    """Opens (or resumes) the run, trains inside the strategy, scores the test split; returns its metrics.

    `arguments` come from `flags.parse_run_arguments`, with `augment` (bool) besides the shared
    flags. The run folder holds what every run holds (see `pyimagesearch/training/`) plus mean.json.
    """
    loaded = {}

    def load_data():
        loaded["data"] = cifar10.load_cifar10(arguments.dataset)

    run_dir = runs.open_run(arguments, experiment, before_create=load_data)
    # A resumed run reads its own dataset, named in its config.json.
    data = loaded.get("data") or cifar10.load_cifar10(arguments.dataset)
    distribution, global_batch_size = fitting.seeded_strategy(arguments)
    replicas = distribution.num_replicas_in_sync
    steps = cifar10pipeline.steps_per_epoch(len(data.train_labels), global_batch_size, replicas)
    mean = runmean.record_mean(run_dir, lambda: cifar10pipeline.training_mean(data))
    fitting.record_run(run_dir, arguments, distribution, extra={
        "global_batch_size": global_batch_size,
        "steps_per_epoch": steps,
        "train_images": len(data.train_labels),
        "test_images": len(data.test_labels),
        "mean": mean,
        "augmentation": AUGMENTATION if arguments.augment else None,
    })
    print(f"[INFO] {len(data.train_labels)} training images, {steps} steps an epoch; training mean (RGB) "
          f"{mean['R']:.2f}, {mean['G']:.2f}, {mean['B']:.2f}")
    augmentation = cifar10pipeline.shift_flip_augmentation(arguments.seed) if arguments.augment else None
    train_dataset, test_dataset = cifar10pipeline.make_cifar10_datasets(
        data, global_batch_size, arguments.seed, augmentation=augmentation, mean=mean
    )
    model = fitting.train(
        run_dir, distribution, lambda: build_and_compile(len(data.class_names), steps),
        train_dataset, test_dataset, arguments,
    )
    return reports.evaluate_and_print(model, test_dataset, data.test_labels, data.class_names, run_dir)


def evaluate(run, output, experiment, batch_size):
    """evaluate.py: the test report of a finished run, rebuilt from its folder alone (config.json
    names the dataset, mean.json holds the mean, model.keras the model) into <run>/evaluation/."""
    run_dir, saved, model = runs.open_finished_run(run, output, experiment)
    test_dataset, test_labels, class_names = heldout.from_cifar10_run(
        run_dir, saved["dataset"], batch_size, subtract_mean=True
    )
    evaluation_dir = run_dir / EVALUATION_FOLDER
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)
    return metrics


def evaluate_command(experiment, output, description=None, argv=None):
    """An evaluate.py's whole command line: --run (default: the latest run under --output),
    --output (default `output`), --batch-size (`flags.add_evaluate_arguments`); then `evaluate`.
    Returns the metrics. `description` (the --help text) defaults to `EVALUATE_DESCRIPTION`."""
    description = description or EVALUATE_DESCRIPTION.format(experiment=experiment)
    arguments = flags.parse_evaluate_command(description, output=output, argv=argv)
    return evaluate(arguments.run, arguments.output, experiment, arguments.batch_size)


def evaluate_main(config, argv=None):
    """An experiment's evaluate.py: `evaluate_command` for `config.EXPERIMENT`, with --output
    defaulting to `config.OUTPUT`; returns the exit code (`cli.run`: 2 for a user error)."""
    return cli.run(lambda: evaluate_command(config.EXPERIMENT, config.OUTPUT, argv=argv))
