"""A CIFAR-10 run with the training mean subtracted: the steps the MiniGoogLeNet and ResNet experiments share.

    cifar10run.train(arguments, config.EXPERIMENT, build_and_compile)                # train.py
    cifar10run.evaluate_command(config.EXPERIMENT, config.OUTPUT, description=__doc__)  # evaluate.py

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
from pyimagesearch.io import cifar10pipeline, pipeline
from pyimagesearch.training import fitting, flags, heldout, reports, runmean, runs
from pyimagesearch.utils import seeding, strategy

EVALUATION_FOLDER = "evaluation"
AUGMENTATION = "random shifts of up to 10% of the width and height, horizontal flips (fill: nearest)"


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
    seeding.set_seed(arguments.seed, deterministic=arguments.deterministic)
    distribution = strategy.get_strategy()
    replicas = distribution.num_replicas_in_sync
    global_batch_size = pipeline.global_batch_size(arguments.batch_size, distribution)
    steps = cifar10pipeline.steps_per_epoch(len(data.train_labels), global_batch_size, replicas)
    mean = runmean.record_mean(run_dir, lambda: cifar10pipeline.training_mean(data))
    runs.write_run_config(
        run_dir, vars(arguments), seed=arguments.seed,
        extra={
            "replicas": replicas,
            "global_batch_size": global_batch_size,
            "steps_per_epoch": steps,
            "train_images": len(data.train_labels),
            "test_images": len(data.test_labels),
            "mean": mean,
            "augmentation": AUGMENTATION if arguments.augment else None,
        },
    )
    print(f"[INFO] run folder: {run_dir}")
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
    print("[INFO] evaluating on the test set...")
    metrics = reports.evaluate_and_report(model, test_dataset, data.test_labels, data.class_names, run_dir)
    reports.print_report(run_dir, metrics)
    return metrics


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
    Returns the metrics."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments = flags.parse_evaluate_arguments(flags.add_evaluate_arguments(parser, output=output), argv)
    return evaluate(arguments.run, arguments.output, experiment, arguments.batch_size)
