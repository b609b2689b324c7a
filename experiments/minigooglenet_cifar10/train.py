"""Train MiniGoogLeNet on CIFAR-10 with polynomial learning-rate decay (the course's chapter).

    python experiments/minigooglenet_cifar10/train.py                              # real CIFAR-10 (downloads it)
    python experiments/minigooglenet_cifar10/train.py --dataset synthetic-cifar10  # offline stand-in
    python experiments/minigooglenet_cifar10/train.py --power 2                    # quadratic decay
    python experiments/minigooglenet_cifar10/train.py --resume output/minigooglenet_cifar10/<run-id>

SGD at 5e-3 with momentum 0.9, batch 64, 70 epochs. The rate falls from `--learning-rate` to 0
over `--epochs` as the course's `poly_decay`, `learning_rate * (1 - epoch / epochs) ** power`,
held for each epoch; it is written as a schedule over optimizer steps, so a checkpoint carries
it and a resumed run continues on it (and `--resume --learning-rate`, which only replaces a
constant rate, is refused). The training split's per-channel mean is subtracted from every image
(training and test alike) and recorded as mean.json in the run folder; the training batches are
augmented with random shifts of up to 10% and horizontal flips (`--no-augment` turns that off).

Everything the run makes goes into output/minigooglenet_cifar10/<run-id>/ (see
pyimagesearch/training/); evaluate.py rebuilds the report from that folder alone.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.callbacks import perstepschedules, schedules
from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.nn.conv.minigooglenet import MiniGoogLeNet
from pyimagesearch.training import fitting, flags, reports, runmean, runs
from pyimagesearch.utils import cli, seeding, strategy, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        dataset=config.DATASET,
        epochs=config.EPOCHS,
        batch_size=config.BATCH_SIZE,
        learning_rate=config.LEARNING_RATE,
        seed=config.SEED,
        output=config.OUTPUT,
        checkpoint_every=config.CHECKPOINT_EVERY,
        dataset_help="cifar10, synthetic-cifar10, or a folder holding cifar-10-batches-bin/",
        learning_rate_help="the initial rate of the polynomial decay",
    )
    parser.add_argument("--power", type=float, default=config.POWER,
                        help="of the polynomial decay: 1 is linear (the course), 2 quadratic")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT,
                        help="random shifts of up to 10%% and horizontal flips of the training batches")
    arguments = flags.parse_run_arguments(parser)
    validation.check_number("--power", arguments.power, minimum=0, include_minimum=False)
    return arguments


def learning_rate_for(arguments, steps_per_epoch):
    """The course's per-epoch poly_decay over optimizer steps, so a checkpoint carries it."""
    decay = schedules.PolynomialDecay(arguments.epochs, arguments.learning_rate, arguments.power)
    return perstepschedules.epoch_schedule_per_step(decay, steps_per_epoch, arguments.epochs)


def main():
    arguments = parse_arguments()
    loaded = {}

    def load_data():
        # Before the run folder is made, so a missing dataset leaves nothing behind.
        loaded["data"] = cifar10.load_cifar10(arguments.dataset)

    run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=load_data)
    data = loaded.get("data") or cifar10.load_cifar10(arguments.dataset)
    seeding.set_seed(arguments.seed, deterministic=arguments.deterministic)
    distribution = strategy.get_strategy()
    # From the training split only; a resumed run reads back the mean it started with.
    mean = runmean.record_mean(run_dir, lambda: cifar10pipeline.training_mean(data))
    runs.write_run_config(run_dir, vars(arguments), seed=arguments.seed,
                          extra={"replicas": distribution.num_replicas_in_sync, "mean": mean})
    print(f"[INFO] run folder: {run_dir}")
    global_batch_size = arguments.batch_size * distribution.num_replicas_in_sync
    augmentation = cifar10pipeline.shift_flip_augmentation(arguments.seed) if arguments.augment else None
    train_dataset, test_dataset = cifar10pipeline.make_cifar10_datasets(
        data, global_batch_size, arguments.seed, augmentation=augmentation, mean=mean)
    steps = cifar10pipeline.steps_per_epoch(len(data.train_labels), global_batch_size,
                                            distribution.num_replicas_in_sync)

    def build_and_compile():
        model = MiniGoogLeNet.build(width=32, height=32, depth=3, classes=len(data.class_names))
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate_for(arguments, steps), momentum=config.MOMENTUM)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    print("[INFO] evaluating on the test set...")
    metrics = reports.evaluate_and_report(model, test_dataset, data.test_labels, data.class_names, run_dir)
    reports.print_report(run_dir, metrics)


if __name__ == "__main__":
    sys.exit(cli.run(main))
