"""A Tiny ImageNet run from its HDF5 folder: the steps both Tiny ImageNet experiments share.

    arguments = tinyimagenetrun.parse_run_arguments(config, __doc__, dataset_help="...")  # train.py
    tinyimagenetrun.train(arguments, config.EXPERIMENT, build_and_compile)
    tinyimagenetrun.evaluate_command(config.EXPERIMENT, config.OUTPUT, config.BATCH_SIZE, __doc__)       # evaluate.py
    tinyimagenetrun.rank_accuracy_command(config.EXPERIMENT, config.OUTPUT, config.BATCH_SIZE, __doc__)  # rank_accuracy.py

`arguments.dataset` is the folder `tinyimagenetbuilder.build_tiny_imagenet_hdf5` wrote
(train.hdf5, val.hdf5 and test.hdf5). Training batches come from train.hdf5 and are validated
on val.hdf5 (50 images a class held out of the training folder); test.hdf5 (the official val
folder) is scored once, at the end, with the classification report, rank-1 and rank-5. All
three are fed as in `tinyimagenetpipeline`: minus the training mean, unscaled. The experiment
brings only its network and optimizer, as `build_and_compile(input_shape, classes,
steps_per_epoch)`; `steps_per_epoch` is there for a learning-rate schedule over optimizer
steps, which a checkpoint carries.
"""

import argparse
import json
import pathlib

from pyimagesearch.io import hdf5format, tinyimagenetpipeline
from pyimagesearch.training import fitting, flags, heldout, reports, runs
from pyimagesearch.utils import atomic, errors, ranked

EVALUATION_FOLDER = "evaluation"
RANK_ACCURACY_NAME = "rank_accuracy.json"
BUILD_COMMAND = "python experiments/deepergooglenet_tiny_imagenet/build_dataset.py"


def check_hdf5_folder(hdf5_dir):
    """Raises a user error unless `hdf5_dir` holds the three split files with the same classes."""
    hdf5_dir = pathlib.Path(hdf5_dir)
    if not hdf5_dir.is_dir():
        raise errors.InvalidArgumentError(
            f"{hdf5_dir} does not exist: build the Tiny ImageNet HDF5 files first, e.g. {BUILD_COMMAND} "
            f"--dataset tiny-imagenet-200 --output {hdf5_dir}. Received: --dataset {hdf5_dir}"
        )
    heldout.check_hdf5_splits(hdf5_dir)


def parse_run_arguments(config, description, *, dataset_help, argv=None, add_arguments=None, **helps):
    """A train.py's command line, parsed and checked: `flags.add_run_arguments` with the defaults of
    `config` (--dataset defaults to its HDF5_DIR), `dataset_help` and `helps` (`epochs_help`,
    `learning_rate_help`), --augment/--no-augment (default: on), and the experiment's own flags,
    which `add_arguments(parser)` adds when given (e.g. `resnetflags.add_architecture_arguments`)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser, **flags.config_defaults(config, dataset=config.HDF5_DIR), dataset_help=dataset_help, **helps
    )
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True)
    if add_arguments is not None:
        add_arguments(parser)
    return flags.parse_run_arguments(parser, argv)


def train(arguments, experiment, build_and_compile):
    """Opens (or resumes) the run, trains inside the strategy, scores test.hdf5; returns the test metrics.

    `arguments` come from `flags.parse_run_arguments`, with `augment` (bool) besides the shared
    flags. The run folder holds what every run holds (see `pyimagesearch/training/`) plus the
    test report with "rank1" and "rank5" in metrics.json.
    """
    run_dir = runs.open_run(arguments, experiment, before_create=lambda: check_hdf5_folder(arguments.dataset))
    hdf5_dir = pathlib.Path(arguments.dataset)  # a resumed run's own, from its config.json
    if arguments.resume:
        check_hdf5_folder(hdf5_dir)
    distribution, global_batch_size = fitting.seeded_strategy(arguments)
    replicas = distribution.num_replicas_in_sync
    train_info = hdf5format.read_dataset_info(tinyimagenetpipeline.split_path(hdf5_dir, "train"))
    steps = tinyimagenetpipeline.steps_per_epoch(hdf5_dir, global_batch_size, replicas)
    fitting.record_run(run_dir, arguments, distribution, extra={
        "global_batch_size": global_batch_size,
        "steps_per_epoch": steps,
        "train_images": train_info["rows"],
        "classes": train_info["classes"],
        "hdf5_preprocessing": train_info["preprocessing"],
        "mean": train_info["mean"],
    })
    print(f"[INFO] {train_info['rows']} training images of {train_info['classes']} classes, {steps} steps an epoch")
    train_dataset, val_dataset = tinyimagenetpipeline.make_tiny_imagenet_datasets(
        hdf5_dir, global_batch_size, arguments.seed, augment=arguments.augment, replicas=replicas
    )
    model = fitting.train(
        run_dir, distribution, lambda: build_and_compile(train_info["row_shape"], train_info["classes"], steps),
        train_dataset, val_dataset, arguments,
    )
    metrics = evaluate_test(model, hdf5_dir, global_batch_size, run_dir)
    print_ranked_report(run_dir, metrics)
    return metrics


def evaluate_test(model, hdf5_dir, batch_size, report_dir):
    """Predicts test.hdf5 and writes the classification report into `report_dir`, with
    "rank1" and "rank5" (the true class among the 5 most probable) in metrics.json."""
    test_path = tinyimagenetpipeline.split_path(hdf5_dir, "test")
    probabilities, labels, rank1, rank5 = _predict_test(model, hdf5_dir, batch_size)
    return reports.write_classification_report(
        report_dir, labels, probabilities, hdf5format.read_dataset_info(test_path)["label_names"],
        extra_metrics={"rank1": rank1, "rank5": rank5, "test_file": str(test_path)},
    )


def print_ranked_report(report_dir, metrics, run_dir=None):
    """The classification report and rank-1/rank-5; with `run_dir`, also what train.py recorded."""
    reports.print_report(report_dir, metrics, run_dir, what="test accuracy (rank-1)")
    print(f"[INFO] rank-1: {metrics['rank1']:.4f}  rank-5: {metrics['rank5']:.4f}")
    recorded_path = pathlib.Path(run_dir) / reports.METRICS_NAME if run_dir is not None else None
    if recorded_path is not None and recorded_path.is_file():
        recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
        if "rank5" in recorded:
            print(f"[INFO] rank-5 recorded by train.py: {recorded['rank5']:.4f}")


def _predict_test(model, hdf5_dir, batch_size):
    """(probabilities, labels, rank1, rank5) of test.hdf5."""
    print(f"[INFO] predicting {tinyimagenetpipeline.split_path(hdf5_dir, 'test')}...")
    probabilities, labels = tinyimagenetpipeline.predict_split(
        model, hdf5_dir, "test", batch_size, verbose=fitting.fit_verbosity()
    )
    rank1, rank5 = ranked.rank5_accuracy(probabilities, labels)
    return probabilities, labels, rank1, rank5


def evaluate(run, output, experiment, batch_size):
    """evaluate.py: the test report of a finished run, rebuilt from its folder into <run>/evaluation/."""
    run_dir, saved, model = runs.open_finished_run(run, output, experiment)
    check_hdf5_folder(saved["dataset"])
    evaluation_dir = run_dir / EVALUATION_FOLDER
    metrics = evaluate_test(model, saved["dataset"], batch_size, evaluation_dir)
    print_ranked_report(evaluation_dir, metrics, run_dir)
    return metrics


def evaluate_command(experiment, output, batch_size, description=None, argv=None):
    """An evaluate.py's whole command line: --run (default: the latest run under --output),
    --output, --batch-size (`flags.add_evaluate_arguments`); then `evaluate`. Returns the metrics."""
    arguments = flags.parse_evaluate_command(description, output=output, batch_size=batch_size, argv=argv)
    return evaluate(arguments.run, arguments.output, experiment, arguments.batch_size)


def rank_accuracy_command(experiment, output, batch_size, description=None, argv=None):
    """A rank_accuracy.py's whole command line: evaluate.py's flags and --model; then `rank_accuracy`."""
    parser = _evaluate_parser(output, batch_size, description)
    parser.add_argument("--model", default=None, help="a .keras model to score (default: <run>/model.keras)")
    arguments = flags.parse_evaluate_arguments(parser, argv)
    return rank_accuracy(arguments.run, arguments.output, experiment, arguments.model, arguments.batch_size)


def _evaluate_parser(output, batch_size, description):
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    return flags.add_evaluate_arguments(parser, output=output, batch_size=batch_size)


def rank_accuracy(run, output, experiment, model_path=None, batch_size=64):
    """rank_accuracy.py: rank-1 and rank-5 on test.hdf5 of the run's final model, or of
    `model_path` (a checkpoint, e.g. <run>/checkpoints/epoch_25.keras); printed and written
    to <run>/rank_accuracy.json (which names the model). Returns that dict."""
    run_dir = pathlib.Path(run) if run else runs.latest_run(pathlib.Path(output) / experiment)
    hdf5_dir = runs.read_run_config(run_dir)["arguments"]["dataset"]
    check_hdf5_folder(hdf5_dir)
    model_path = pathlib.Path(model_path) if model_path else run_dir / runs.FINAL_MODEL
    model = runs.load_model(model_path, compile=False)
    _, labels, rank1, rank5 = _predict_test(model, hdf5_dir, batch_size)
    result = {
        "model": str(model_path),
        "test_file": str(tinyimagenetpipeline.split_path(hdf5_dir, "test")),
        "samples": int(len(labels)),
        "rank1": rank1,
        "rank5": rank5,
    }
    print(f"[INFO] {model_path}: {result['samples']} images of {result['test_file']}")
    print(f"[INFO] rank-1: {rank1 * 100:.2f}%")
    print(f"[INFO] rank-5: {rank5 * 100:.2f}%")
    atomic.write_json_atomic(run_dir / RANK_ACCURACY_NAME, result)
    return result
