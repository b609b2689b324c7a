"""Train DeeperGoogLeNet on Tiny ImageNet 200 from the HDF5 files made by build_dataset.py.

    python experiments/deepergooglenet_tiny_imagenet/train.py --run-id course --epochs 25
    python experiments/deepergooglenet_tiny_imagenet/train.py --resume output/deepergooglenet_tiny_imagenet/course \
        --from-epoch 25 --learning-rate 1e-4 --epochs 35
    python experiments/deepergooglenet_tiny_imagenet/train.py --resume output/deepergooglenet_tiny_imagenet/course \
        --from-epoch 35 --learning-rate 1e-5 --epochs 40
    python experiments/deepergooglenet_tiny_imagenet/train.py --dataset datasets/synthetic-tiny-imagenet-hdf5

The course's recipe: Adam 1e-3, L2 5e-4, batch 64, 64x64 images minus the training mean
(unscaled), augmented (rotation 18, zoom 0.15, shifts 0.2, shear 0.15, horizontal flip), lowered
by hand to 1e-4 at epoch 25 and to 1e-5 at epoch 35 (the three commands above: each restart
continues from that epoch's checkpoint, kept every 5 epochs, with the optimizer state). It
validates on val.hdf5, then scores test.hdf5 (the official val images): the classification
report, rank-1 and rank-5, in output/deepergooglenet_tiny_imagenet/<run-id>/ (see
pyimagesearch/training/). rank_accuracy.py and evaluate.py score a run again from its folder.
"""

import sys

import keras

import config
from pyimagesearch.nn.conv import DeeperGoogLeNet
from pyimagesearch.training import fitting, tinyimagenetrun
from pyimagesearch.utils import cli


def main():
    arguments = tinyimagenetrun.parse_run_arguments(
        config, __doc__, dataset_help="the HDF5 folder made by build_dataset.py"
    )

    def build_and_compile(input_shape, classes, steps_per_epoch):
        height, width, depth = input_shape
        model = DeeperGoogLeNet.build(width=width, height=height, depth=depth, classes=classes, reg=config.L2)
        return fitting.compile_classifier(model, keras.optimizers.Adam(learning_rate=arguments.learning_rate))

    tinyimagenetrun.train(arguments, config.EXPERIMENT, build_and_compile)


if __name__ == "__main__":
    sys.exit(cli.run(main))
