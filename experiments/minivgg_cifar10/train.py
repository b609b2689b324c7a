"""Train MiniVGGNet on CIFAR-10 (the course's chapter and its variants, as flags).

    python experiments/minivgg_cifar10/train.py                                   # real CIFAR-10 (downloads it)
    python experiments/minivgg_cifar10/train.py --dataset synthetic-cifar10       # offline stand-in
    python experiments/minivgg_cifar10/train.py --no-batch-norm                   # the course's no-BN run
    python experiments/minivgg_cifar10/train.py --lr-schedule step --step-factor 0.5
    python experiments/minivgg_cifar10/train.py --resume output/minivgg_cifar10/<run-id>

SGD with Nesterov momentum 0.9, batch 64, 40 epochs. `--lr-schedule` picks the rate over time:
`none` (constant), `inverse-time` (the course's `decay=0.01 / 40`: learning_rate / (1 + decay *
step), Keras 2's per-step decay, which Keras 3 ignores unless written as a schedule) or `step`
(the course's StepDecay: times `--step-factor` every 5 epochs). Both schedules count optimizer
steps, so a checkpoint carries them and a resumed run continues where it stopped; for the
same reason `--resume --learning-rate` (the restart workflow) needs a run made with
`--lr-schedule none`.

Everything the run makes goes into output/minivgg_cifar10/<run-id>/ (see pyimagesearch/training/);
evaluate.py rebuilds the report from that folder alone.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.callbacks import perstepschedules, schedules
from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.nn.conv.minivggnet import MiniVGGNet
from pyimagesearch.training import cifar10run, fitting, flags, reports, runs
from pyimagesearch.utils import cli, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        dataset_help=cifar10run.DATASET_HELP,
    )
    parser.add_argument("--batch-norm", action=argparse.BooleanOptionalAction, default=config.BATCH_NORM)
    parser.add_argument("--lr-schedule", choices=config.LR_SCHEDULES, default=config.LR_SCHEDULE)
    parser.add_argument(
        "--step-factor", type=float, default=config.STEP_FACTOR,
        help=f"with --lr-schedule step: the rate is multiplied by this every {config.STEP_EVERY} epochs",
    )
    arguments = flags.parse_run_arguments(parser)
    validation.check_number("--step-factor", arguments.step_factor, minimum=0, maximum=1, include_minimum=False)
    return arguments


def learning_rate_for(arguments, steps_per_epoch):
    """A number, or a step-based schedule that the model's checkpoints carry (so resuming keeps it)."""
    if arguments.lr_schedule == "inverse-time":
        return schedules.inverse_time_decay(arguments.learning_rate, arguments.learning_rate / arguments.epochs)
    if arguments.lr_schedule == "step":
        # Over steps rather than a LearningRateScheduler callback, so a checkpoint carries it.
        return perstepschedules.epoch_schedule_per_step(
            schedules.StepDecay(arguments.learning_rate, arguments.step_factor, config.STEP_EVERY),
            steps_per_epoch, arguments.epochs,
        )
    return arguments.learning_rate


def main():
    arguments = parse_arguments()
    loaded = {}

    def load_data():
        # Before the run folder is made, so a missing dataset leaves nothing behind.
        loaded["data"] = cifar10.load_cifar10(arguments.dataset)

    run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=load_data)
    data = loaded.get("data") or cifar10.load_cifar10(arguments.dataset)
    distribution, global_batch_size = fitting.start_run(run_dir, arguments)
    train_dataset, test_dataset = cifar10pipeline.make_cifar10_datasets(data, global_batch_size, arguments.seed)
    steps = cifar10pipeline.steps_per_epoch(len(data.train_labels), global_batch_size,
                                            distribution.num_replicas_in_sync)

    def build_and_compile():
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(data.class_names),
                                 batch_norm=arguments.batch_norm)
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate_for(arguments, steps),
                                         momentum=config.MOMENTUM, nesterov=True)
        return fitting.compile_classifier(model, optimizer)

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    reports.evaluate_and_print(model, test_dataset, data.test_labels, data.class_names, run_dir)


if __name__ == "__main__":
    sys.exit(cli.run(main))
