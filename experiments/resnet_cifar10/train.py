"""Train ResNet-56 on CIFAR-10 (the course's chapter): a constant rate lowered by hand, or polynomial decay.

    python experiments/resnet_cifar10/train.py --epochs 75 --run-id restart     # 0.1 until epoch 75 (downloads CIFAR-10)
    python experiments/resnet_cifar10/train.py --resume output/resnet_cifar10/restart \
        --from-epoch 75 --learning-rate 0.01 --epochs 100                      # the course's restart at 0.01
    python experiments/resnet_cifar10/train.py --lr-schedule polynomial         # 0.1 -> 0 over 100 epochs
    python experiments/resnet_cifar10/train.py --dataset synthetic-cifar10      # offline stand-in
    python experiments/resnet_cifar10/train.py --stages 1 1 1 --filters 16 16 32 64   # a small variant

ResNet with pre-activation bottleneck modules, stages (9, 9, 9) and filters (64, 64, 128, 256)
(`--stages`, `--filters`), L2 5e-4 on every kernel (`--regularization`), SGD at 0.1 with
momentum 0.9, batch 128. `--lr-schedule none` keeps the rate constant, so `--resume RUN
--from-epoch K --learning-rate LR` can lower it from a checkpoint, as the course did by
stopping the script; `--lr-schedule polynomial` is the course's `poly_decay` (`--power`, 1 is
linear) over `--epochs`, held for each epoch and written as a schedule over optimizer steps, so
a checkpoint carries it (and `--learning-rate` can't replace it on a resume). The training
split's per-channel mean is subtracted from every image and kept as mean.json in the run
folder; training batches get random shifts of up to 10% and horizontal flips (`--no-augment`).

Everything the run makes goes into output/resnet_cifar10/<run-id>/ (see pyimagesearch/training/
and its cifar10run, which this script shares with minigooglenet_cifar10); evaluate.py rebuilds
the report from that folder alone.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.callbacks import perstepschedules, schedules
from pyimagesearch.nn.conv import resnet
from pyimagesearch.training import cifar10run, fitting, flags, resnetflags
from pyimagesearch.utils import cli, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        dataset_help=cifar10run.DATASET_HELP,
    )
    parser.add_argument("--lr-schedule", choices=config.LR_SCHEDULES, default=config.LR_SCHEDULE,
                        help="none: constant (lower it by hand with --resume); polynomial: to 0 over --epochs")
    parser.add_argument("--power", type=float, default=config.POWER, help="of the polynomial decay: 1 is linear")
    resnetflags.add_architecture_arguments(parser, config)
    parser.add_argument("--regularization", type=float, default=config.REGULARIZATION,
                        help="L2 factor of every kernel")
    cifar10run.add_augment_argument(parser, default=config.AUGMENT)
    arguments = flags.parse_run_arguments(parser)
    validation.check_number("--power", arguments.power, minimum=0, include_minimum=False)
    validation.check_number("--regularization", arguments.regularization, minimum=0)
    resnetflags.check_architecture_arguments(arguments)
    return arguments


def learning_rate_for(arguments, steps_per_epoch):
    """A number, or the course's per-epoch poly_decay over optimizer steps (a checkpoint carries it)."""
    if arguments.lr_schedule == "polynomial":
        decay = schedules.PolynomialDecay(arguments.epochs, arguments.learning_rate, arguments.power)
        return perstepschedules.epoch_schedule_per_step(decay, steps_per_epoch, arguments.epochs)
    return arguments.learning_rate


def main():
    arguments = parse_arguments()

    def build_and_compile(classes, steps_per_epoch):
        model = resnet.ResNet.build(32, 32, 3, classes, arguments.stages, arguments.filters,
                                    reg=arguments.regularization, dataset="cifar")
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate_for(arguments, steps_per_epoch),
                                         momentum=config.MOMENTUM)
        return fitting.compile_classifier(model, optimizer)

    cifar10run.train(arguments, config.EXPERIMENT, build_and_compile)


if __name__ == "__main__":
    sys.exit(cli.run(main))
