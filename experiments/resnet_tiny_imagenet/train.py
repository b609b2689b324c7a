"""Train ResNet on Tiny ImageNet 200 from the HDF5 files, with the course's polynomial learning-rate decay.

    python experiments/deepergooglenet_tiny_imagenet/build_dataset.py        # once, for both experiments
    python experiments/resnet_tiny_imagenet/train.py
    python experiments/resnet_tiny_imagenet/train.py --resume output/resnet_tiny_imagenet/<run-id>
    python experiments/resnet_tiny_imagenet/train.py --dataset datasets/synthetic-tiny-imagenet-hdf5
    python experiments/resnet_tiny_imagenet/train.py --stages 1 1 1 --filters 16 16 32 64   # a small variant

The course's recipe: ResNet with stages (3, 4, 6) and filters (64, 128, 256, 512) (`--stages`,
`--filters`) and the Tiny ImageNet stem (5x5 convolution, then 3x3/2 pooling), L2 5e-4, SGD with
momentum 0.9, batch 64, and 75 epochs of `poly_decay`: 0.1 * (1 - epoch / 75) ** 1, reaching 0
at the end. The decay is a schedule over optimizer steps
(`perstepschedules.epoch_schedule_per_step`: the rate of epoch e for every step of epoch e), so
each checkpoint (every 5 epochs) carries it and `--resume` continues on it where it stopped; for
the same reason `--resume --learning-rate` is refused. Data as in the DeeperGoogLeNet
experiment: 64x64 images minus the training mean, unscaled, augmented; validated on val.hdf5,
then test.hdf5 is scored with the classification report, rank-1 and rank-5, in
output/resnet_tiny_imagenet/<run-id>/. evaluate.py rebuilds that report from the run folder
alone.
"""

import sys

import keras

import config
from pyimagesearch.callbacks import perstepschedules, schedules
from pyimagesearch.nn.conv import ResNet
from pyimagesearch.training import fitting, resnetflags, tinyimagenetrun
from pyimagesearch.utils import cli


def main():
    arguments = tinyimagenetrun.parse_run_arguments(
        config, __doc__,
        dataset_help="the HDF5 folder made by experiments/deepergooglenet_tiny_imagenet/build_dataset.py",
        learning_rate_help="the polynomial decay's starting rate",
        epochs_help="train until this epoch; the decay reaches 0 there",
        add_arguments=lambda parser: resnetflags.add_architecture_arguments(parser, config),
    )
    resnetflags.check_architecture_arguments(arguments)

    def build_and_compile(input_shape, classes, steps_per_epoch):
        height, width, depth = input_shape
        model = ResNet.build(
            width, height, depth, classes, arguments.stages, arguments.filters, reg=config.L2, dataset="tiny_imagenet"
        )
        decay = schedules.PolynomialDecay(arguments.epochs, arguments.learning_rate, power=config.POWER)
        learning_rate = perstepschedules.epoch_schedule_per_step(decay, steps_per_epoch, arguments.epochs)
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=config.MOMENTUM)
        return fitting.compile_classifier(model, optimizer)

    tinyimagenetrun.train(arguments, config.EXPERIMENT, build_and_compile)


if __name__ == "__main__":
    sys.exit(cli.run(main))
