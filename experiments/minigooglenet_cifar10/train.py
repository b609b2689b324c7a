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
pyimagesearch/training/ and its cifar10run, which this script shares with resnet_cifar10);
evaluate.py rebuilds the report from that folder alone.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.callbacks import perstepschedules, schedules
from pyimagesearch.nn.conv.minigooglenet import MiniGoogLeNet
from pyimagesearch.training import cifar10run, flags
from pyimagesearch.utils import cli, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        dataset_help="cifar10, synthetic-cifar10, or a folder holding cifar-10-batches-bin/",
        learning_rate_help="the polynomial decay's starting rate",
        epochs_help="train until this epoch; the decay reaches 0 there",
    )
    parser.add_argument("--power", type=float, default=config.POWER,
                        help="of the polynomial decay: 1 is linear (the course), 2 quadratic")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT,
                        help="random shifts of up to 10%% and horizontal flips of the training batches")
    arguments = flags.parse_run_arguments(parser)
    validation.check_number("--power", arguments.power, minimum=0, include_minimum=False)
    return arguments


def main():
    arguments = parse_arguments()

    def build_and_compile(classes, steps_per_epoch):
        model = MiniGoogLeNet.build(width=32, height=32, depth=3, classes=classes)
        # The course's per-epoch poly_decay over optimizer steps, so a checkpoint carries it.
        decay = schedules.PolynomialDecay(arguments.epochs, arguments.learning_rate, arguments.power)
        learning_rate = perstepschedules.epoch_schedule_per_step(decay, steps_per_epoch, arguments.epochs)
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=config.MOMENTUM)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    cifar10run.train(arguments, config.EXPERIMENT, build_and_compile)


if __name__ == "__main__":
    sys.exit(cli.run(main))
