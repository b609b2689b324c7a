"""Don't decay the learning rate, increase the batch size (arXiv 1711.00489): StrideNet trained
with plain SGD two ways, and a check that the network can fit its training images at all.

    python experiments/batch_size_study/train.py --dataset digits
    python experiments/batch_size_study/train.py --dataset synthetic-cifar10 --epochs 20
    python experiments/batch_size_study/train.py --dataset cifar10 --epochs 100

- capacity: the first --capacity-images training images (1,000) at the epoch-0 batch and rate,
  until the model classifies all of them correctly (accuracy 1.0, measured on those images after
  the epoch) or --capacity-epochs have passed; skipped with --capacity-epochs 0. `--overfit N`
  runs this check alone, on N images, and exits 0 if it reached 1.0, else 1;
- lrd: batch --batch-size fixed, learning rate --learning-rate times --decay after every epoch;
- ibs: learning rate fixed, batch --batch-size times --growth after every epoch (the exact value
  batch * growth**epoch rounded half up), up to --max-batch-fraction of the training images
  (rounded down).

The setups start from the same initial weights (the seed is set again before each build) and see
the training images in the same order in every epoch (keyed on the seed and the epoch); only the
batch size and the learning rate differ. A NaN or infinite loss ends that setup, recorded as
diverged, and the study goes on. Everything goes into output/batch_size_study/<run-id>/:
config.json, summary.json, study.png (both setups, against epochs and against parameter updates),
and one folder per setup with its own config.json, records.json (one entry per epoch: batch,
learning rate, parameter updates so far, training loss, test accuracy), history.json and
training.png, checkpoints and model.keras.
"""

import argparse
import hashlib
import math
import os
import sys
import types

import keras
import numpy as np

import config
from pyimagesearch.callbacks.epochrecords import EpochRecords, plot_records
from pyimagesearch.callbacks.geometricschedule import GeometricSchedule
from pyimagesearch.callbacks.terminateonnonfinite import NonFiniteLossError
from pyimagesearch.datasets import digitimages
from pyimagesearch.io import pipeline
from pyimagesearch.nn.conv.stridenet import StrideNet
from pyimagesearch.training import fitting, flags, runs
from pyimagesearch.utils import atomic, cli, errors, precision, seeding, sessions, strategy, validation

SETUPS = ("lrd", "ibs")
RECORDS_FILE = "records.json"
SUMMARY_FILE = "summary.json"
STUDY_PLOT = "study.png"


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        dataset_help=f"one of {', '.join(config.DATASETS)}, or a CIFAR-10 folder",
        epochs_help="epochs of each setup",
        learning_rate_help="the learning rate of epoch 0, in both setups",
    )
    parser.add_argument("--decay", type=float, default=config.DECAY, help="lrd: the rate's factor after every epoch")
    parser.add_argument("--growth", type=float, default=config.GROWTH, help="ibs: the batch's factor after every epoch")
    parser.add_argument("--max-batch-fraction", type=float, default=config.MAXIMUM_BATCH_FRACTION,
                        help="ibs: the largest batch, as a fraction of the training images")
    parser.add_argument("--capacity-images", type=int, default=config.CAPACITY_IMAGES)
    parser.add_argument("--capacity-epochs", type=int, default=config.CAPACITY_EPOCHS, help="0 skips the check")
    parser.add_argument("--train-images", type=int, default=None, metavar="N", help="only the first N training images")
    parser.add_argument("--test-images", type=int, default=None, metavar="N", help="only the first N test images")
    parser.add_argument("--target-loss", type=float, default=None,
                        help="the training loss whose updates are compared (default: the lowest both setups reach)")
    arguments = flags.parse_run_arguments(parser, argv)
    check_study_arguments(arguments)
    return arguments


def check_study_arguments(arguments):
    """Refuses settings the study can't run, before anything is read or written."""
    # Its epochs run through its own fit loop, which doesn't share batches between processes.
    flags.refuse_several_processes(arguments, "The batch-size study")
    for flag in ("find_lr", "preview_augmentation"):
        if getattr(arguments, flag, False):
            raise errors.InvalidArgumentError(
                f"The batch-size study compares two fixed schedules without augmentation, so it has no "
                f"--{flag.replace('_', '-')}. Received: --{flag.replace('_', '-')}"
            )
    if getattr(arguments, "overfit", None) is not None:
        # The shared sanity check is the study's capacity check, on N images, alone.
        arguments.capacity_images = arguments.overfit
        validation.check_integer("--capacity-epochs (with --overfit)", arguments.capacity_epochs, minimum=1)
    if arguments.resume:
        # A resumed setup would need its records and its place in the batch schedule; a study
        # on the data sets here takes minutes, so it is run again instead.
        raise errors.InvalidArgumentError(
            f"The batch-size study does not resume; start it again. Received: --resume {arguments.resume}"
        )
    if arguments.dataset not in config.DATASETS and not os.path.exists(arguments.dataset):
        raise errors.InvalidArgumentError(
            f"--dataset must be one of {', '.join(config.DATASETS)} or a CIFAR-10 folder. "
            f"Received: --dataset {arguments.dataset}"
        )
    validation.check_number("--decay", arguments.decay, minimum=0, maximum=1, include_minimum=False)
    validation.check_number("--growth", arguments.growth, minimum=1)
    validation.check_number("--max-batch-fraction", arguments.max_batch_fraction, minimum=0, maximum=1,
                            include_minimum=False)
    validation.check_integer("--capacity-images", arguments.capacity_images, minimum=1)
    validation.check_integer("--capacity-epochs", arguments.capacity_epochs, minimum=0)
    for flag in ("train_images", "test_images"):
        if getattr(arguments, flag) is not None:
            validation.check_integer("--" + flag.replace("_", "-"), getattr(arguments, flag), minimum=1)
    if arguments.target_loss is not None:
        validation.check_number("--target-loss", arguments.target_loss, minimum=0, include_minimum=False)


def load_study_data(arguments):
    """The arrays of --dataset (`train_images` (N, 32, 32, 3) uint8, `train_labels`,
    `test_images`, `test_labels`, `class_names`), cut to --train-images / --test-images rows."""
    if arguments.dataset == "digits":
        study = load_digits_arrays(arguments.seed)
    else:
        study = load_cifar(arguments.dataset)
    return types.SimpleNamespace(
        train_images=cut(study.train_images, arguments.train_images, "--train-images"),
        train_labels=cut(np.asarray(study.train_labels), arguments.train_images, "--train-images"),
        test_images=cut(study.test_images, arguments.test_images, "--test-images"),
        test_labels=cut(np.asarray(study.test_labels), arguments.test_images, "--test-images"),
        class_names=[str(name) for name in study.class_names],
        split=getattr(study, "split", None),
    )


def load_cifar(dataset):
    # Imported here: the digits path must not need the CIFAR-10 loader.
    try:
        from pyimagesearch.datasets import cifar10
    except ImportError as error:
        raise errors.InvalidArgumentError(
            f"--dataset {dataset} needs pyimagesearch.datasets.cifar10, which this checkout does not "
            f"have ({error}); use --dataset digits. Received: --dataset {dataset}"
        ) from error
    return cifar10.load_cifar10(dataset)


def load_digits_arrays(seed):
    """scikit-learn's digits as 32x32x3 uint8 images: the stratified, seeded 75/25 split of
    `digitimages.split_digit_images`, 8x8 enlarged with bilinear interpolation
    (cv2.INTER_LINEAR), the grey channel repeated three times (the network is CIFAR-10's)."""
    split = digitimages.split_digit_images(config.DIGITS_IMAGE_SIZE, test_size=config.DIGITS_TEST_SIZE, seed=seed)
    (train_images, train_labels), (test_images, test_labels) = (
        digitimages.load_split_part(split, part) for part in ("train", "test")
    )
    return types.SimpleNamespace(
        train_images=np.repeat(train_images[..., np.newaxis], 3, axis=-1), train_labels=train_labels,
        test_images=np.repeat(test_images[..., np.newaxis], 3, axis=-1), test_labels=test_labels,
        class_names=[str(digit) for digit in range(10)], split=split,
    )


def cut(array, rows, flag):
    """The first `rows` rows of `array` (all of them for None); more than there are is an error."""
    if rows is None:
        return array
    if rows > len(array):
        raise errors.InvalidArgumentError(f"{flag} is more than the {len(array)} there are. Received: {flag} {rows}")
    return array[:rows]


def make_schedules(arguments, train_rows, replicas):
    """{setup: (learning-rate schedule, per-replica batch schedule)}; the batch cap is a user
    error when it is below the first batch."""
    largest = math.floor(train_rows * arguments.max_batch_fraction) // replicas
    if largest < arguments.batch_size:
        raise errors.InvalidArgumentError(
            f"--max-batch-fraction {arguments.max_batch_fraction:g} of the {train_rows} training images is "
            f"{largest} per replica ({replicas} replica(s)), below the first batch; use a smaller --batch-size "
            f"or more images. Received: --batch-size {arguments.batch_size}"
        )
    fixed_rate = GeometricSchedule(arguments.learning_rate, 1.0)
    fixed_batch = GeometricSchedule(arguments.batch_size, 1.0, integer=True)
    return {
        "lrd": (GeometricSchedule(arguments.learning_rate, arguments.decay), fixed_batch),
        "ibs": (fixed_rate, GeometricSchedule(arguments.batch_size, arguments.growth, maximum=largest, integer=True)),
    }


def build_and_compile(distribution, arguments, learning_rate, classes):
    """StrideNet with plain SGD, built in the strategy's scope under the run's --precision."""
    # Seeded again before every build, so every setup starts from the same initial weights.
    seeding.set_seed(arguments.seed, deterministic=arguments.deterministic)
    with precision.policy_scope(getattr(arguments, "precision_policy", "float32")), distribution.scope():
        return compiled_stridenet(learning_rate, classes)


def compiled_stridenet(learning_rate, classes):
    model = StrideNet.build(width=32, height=32, depth=3, classes=classes)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),  # plain SGD: no momentum
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def weights_digest(model):
    """sha256 of the model's weights, so records show that both setups started alike."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()


class StopAtAccuracy(keras.callbacks.Callback):
    """Stops `fit` after the first epoch whose `monitor` reaches `target`; `reached_epoch` is
    that epoch (1-based), or None."""

    def __init__(self, monitor, target):
        super().__init__()
        self.monitor = monitor
        self.target = target
        self.reached_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if (logs or {}).get(self.monitor, 0.0) >= self.target:
            self.reached_epoch = epoch + 1
            self.model.stop_training = True


def check_capacity(run_dir, distribution, study, arguments):
    """Trains on the first --capacity-images images until all of them are classified correctly;
    returns and writes the records ({"reached_epoch": ..., "epochs": [...]})."""
    setup_dir = new_setup_folder(run_dir, "capacity", arguments, {"images": arguments.capacity_images},
                                 distribution.num_replicas_in_sync)
    images = cut(study.train_images, arguments.capacity_images, "--capacity-images")
    labels = study.train_labels[: len(images)]
    global_batch = arguments.batch_size * distribution.num_replicas_in_sync
    transform = pipeline.make_batch_transform(len(study.class_names), scale=1.0 / 255.0)
    train_dataset = pipeline.make_array_dataset(images, labels, global_batch, transform, shuffle=True,
                                                seed=arguments.seed)
    # The same images again, unshuffled: "val_accuracy" is then the accuracy on them after the epoch.
    same_images = pipeline.make_array_dataset(images, labels, evaluation_batch(distribution), transform)
    model = build_and_compile(distribution, arguments, arguments.learning_rate, len(study.class_names))
    stop = StopAtAccuracy("val_accuracy", 1.0)
    # "after_epoch_accuracy": the accuracy on the same images with the weights at the epoch's end.
    recorder = EpochRecords(setup_dir / RECORDS_FILE, validation_prefix="after_epoch_",
                            extra={"setup": "capacity", "images": len(images), "reached_epoch": None})
    recorder.batch_size = global_batch
    callbacks = fitting.run_callbacks(setup_dir, 0, arguments.checkpoint_every,
                                      keep_checkpoints=arguments.keep_checkpoints) + [recorder, stop]
    print(f"[INFO] capacity check: {len(images)} training images, batch {global_batch}, "
          f"learning rate {arguments.learning_rate:g}, at most {arguments.capacity_epochs} epochs")
    try:
        model.fit(train_dataset, validation_data=same_images, epochs=arguments.capacity_epochs, shuffle=False,
                  callbacks=callbacks + pipeline.epoch_callbacks(train_dataset), verbose=fitting.fit_verbosity())
    except NonFiniteLossError as error:
        recorder.mark_diverged(epoch=error.epoch, batch=error.batch + 1, message=str(error))
    recorder.records["reached_epoch"] = stop.reached_epoch
    recorder.write()
    records = recorder.records
    reached = f"epoch {stop.reached_epoch}" if stop.reached_epoch else f"not within {arguments.capacity_epochs} epochs"
    print(f"[INFO] capacity check: training accuracy 1.0 reached {reached}")
    del model
    sessions.release_models()
    return records


def train_setup(run_dir, distribution, study, arguments, name, schedules):
    """Trains one setup for --epochs, one `fit` an epoch with that epoch's batch size, and
    returns and writes its records."""
    learning_rate_schedule, batch_schedule = schedules
    replicas = distribution.num_replicas_in_sync
    described = {"learning_rate": learning_rate_schedule.describe(),
                 "batch_size_per_replica": batch_schedule.describe()}
    setup_dir = new_setup_folder(run_dir, name, arguments, described, replicas)
    transform = pipeline.make_batch_transform(len(study.class_names), scale=1.0 / 255.0)
    test_dataset = pipeline.make_array_dataset(study.test_images, study.test_labels, evaluation_batch(distribution),
                                               transform)
    model = build_and_compile(distribution, arguments, learning_rate_schedule(0), len(study.class_names))
    recorder = EpochRecords(setup_dir / RECORDS_FILE, extra={
        "setup": name, "train_images": len(study.train_images), "replicas": replicas, **described,
        "initial_weights_sha256": weights_digest(model),
    })
    recorder.write()
    print(f"[INFO] {name}: learning rate {described['learning_rate']}; batch per replica "
          f"{described['batch_size_per_replica']}; {replicas} replica(s)")
    for epoch in range(arguments.epochs):
        recorder.batch_size = batch_schedule.value_at(epoch) * replicas
        # A new dataset every epoch: tf.data fixes the batch size when the dataset is made. Its
        # order is keyed on (seed, epoch), so both setups see the images in the same order.
        train_dataset = pipeline.make_array_dataset(study.train_images, study.train_labels, recorder.batch_size,
                                                    transform, shuffle=True, seed=arguments.seed, initial_epoch=epoch)
        callbacks = fitting.run_callbacks(
            setup_dir, epoch, arguments.checkpoint_every, keep_checkpoints=arguments.keep_checkpoints
        ) + [keras.callbacks.LearningRateScheduler(learning_rate_schedule), recorder]
        try:
            # The same model and optimizer every epoch, so SGD's state and its update count carry on.
            model.fit(train_dataset, validation_data=test_dataset, epochs=epoch + 1, initial_epoch=epoch,
                      callbacks=callbacks + pipeline.epoch_callbacks(train_dataset), shuffle=False,
                      verbose=fitting.fit_verbosity())
        except NonFiniteLossError as error:
            recorder.mark_diverged(epoch=error.epoch, batch=error.batch + 1, batch_size=recorder.batch_size,
                                   learning_rate=learning_rate_schedule(epoch), message=str(error))
            print(f"[WARN] {name} diverged: {error}")
            break
    records = recorder.records
    if records["diverged"] is None:
        atomic.save_model(model, setup_dir / runs.FINAL_MODEL)
    del model
    sessions.release_models()
    return records


def new_setup_folder(run_dir, name, arguments, described, replicas):
    """`run_dir/name/` with its own config.json (the study's arguments and this setup's schedule)."""
    setup_dir = run_dir / name
    setup_dir.mkdir()
    runs.write_run_config(setup_dir, {**vars(arguments), "setup": name}, seed=arguments.seed,
                          extra={"replicas": replicas, **described})
    return setup_dir


def evaluation_batch(distribution):
    return config.EVALUATION_BATCH_SIZE * distribution.num_replicas_in_sync


def summarize(records_by_setup, capacity, target_loss=None):
    """The updates each setup needed to reach one training loss, and the final test accuracies.

    The loss is `target_loss`, or else the lowest epoch loss that every setup reaches (the
    largest of their minima); a setup's "steps_to_target" is the update count at the end of
    the first epoch whose loss is at most that.
    """
    minima = {name: min((epoch["loss"] for epoch in records["epochs"]), default=math.inf)
              for name, records in records_by_setup.items()}
    target = target_loss if target_loss is not None else max(minima.values())
    summary = {"target_loss": target, "target_loss_chosen": "given" if target_loss is not None else
               "the lowest training loss every setup reached", "capacity_reached_epoch": capacity and
               capacity["reached_epoch"], "setups": {}}
    for name, records in records_by_setup.items():
        epochs = records["epochs"]
        reached = next((epoch for epoch in epochs if epoch["loss"] <= target), None)
        last = epochs[-1] if epochs else {}
        summary["setups"][name] = {
            "epochs": len(epochs),
            "steps": last.get("steps", 0),
            "final_batch_size": last.get("batch_size"),
            "final_learning_rate": last.get("learning_rate"),
            "lowest_loss": minima[name],
            "final_loss": last.get("loss"),
            "final_test_accuracy": last.get("test_accuracy"),
            "epoch_to_target": reached and reached["epoch"],
            "steps_to_target": reached and reached["steps"],
            "diverged": records["diverged"],
        }
    return summary


def print_summary(summary):
    if summary["capacity_reached_epoch"] is not None:
        print(f"[INFO] capacity check: accuracy 1.0 on its training images at epoch "
              f"{summary['capacity_reached_epoch']}")
    print(f"[INFO] training loss compared: {summary['target_loss']:.4f} ({summary['target_loss_chosen']})")
    for name, setup in summary["setups"].items():
        diverged = f", DIVERGED in epoch {setup['diverged']['epoch']}" if setup["diverged"] else ""
        print(f"[INFO] {name}: {setup['steps_to_target']} updates (epoch {setup['epoch_to_target']}) to loss "
              f"{summary['target_loss']:.4f}; {setup['steps']} updates in {setup['epochs']} epochs; lowest loss "
              f"{setup['lowest_loss']:.4f}; final test accuracy {setup['final_test_accuracy']}{diverged}")


def main():
    arguments = parse_arguments()
    # First: it fixes TensorFlow's devices (PYIMAGESEARCH_CPU_REPLICAS), which the cap depends on.
    distribution = strategy.get_strategy()
    loaded = {}

    def load():
        loaded["study"] = load_study_data(arguments)
        loaded["schedules"] = make_schedules(
            arguments, len(loaded["study"].train_images), distribution.num_replicas_in_sync
        )

    # The data are loaded and the schedules checked before the run folder is made, so a bad
    # setting leaves nothing behind.
    run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=load)
    study, schedules = loaded["study"], loaded["schedules"]
    runs.write_run_config(run_dir, vars(arguments), seed=arguments.seed, extra={
        "replicas": distribution.num_replicas_in_sync, "train_images": len(study.train_images),
        "test_images": len(study.test_images),
        "schedules": {name: {"learning_rate": rate.describe(), "batch_size_per_replica": batch.describe()}
                      for name, (rate, batch) in schedules.items()},
    })
    if study.split is not None:
        atomic.write_json_atomic(run_dir / "split.json", study.split)  # the digits rows of each part
    print(f"[INFO] run folder: {run_dir}; {len(study.train_images)} training and {len(study.test_images)} "
          f"test images of {arguments.dataset}")
    capacity = None
    if arguments.capacity_epochs or arguments.overfit is not None:
        capacity = check_capacity(run_dir, distribution, study, arguments)
    if arguments.overfit is not None:
        return 0 if capacity["reached_epoch"] else 1  # --overfit N: the capacity check alone
    records_by_setup = {name: train_setup(run_dir, distribution, study, arguments, name, schedules[name])
                        for name in SETUPS}
    summary = summarize(records_by_setup, capacity, arguments.target_loss)
    atomic.write_json_atomic(run_dir / SUMMARY_FILE, summary)
    plot_records(records_by_setup, run_dir / STUDY_PLOT,
                               f"StrideNet on {arguments.dataset}: learning-rate decay (lrd) against "
                               f"increasing batch size (ibs)")
    print_summary(summary)
    print(f"[INFO] wrote {run_dir / STUDY_PLOT} and {run_dir / SUMMARY_FILE}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
