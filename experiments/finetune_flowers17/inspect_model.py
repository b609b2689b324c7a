"""Print the index, name and class of every layer of a backbone, to choose --unfreeze-from.

    python experiments/finetune_flowers17/inspect_model.py                          # VGG16, with its top
    python experiments/finetune_flowers17/inspect_model.py --no-include-top --weights none
    python experiments/finetune_flowers17/inspect_model.py --backbone resnet50 --no-include-top --weights none

The indices are the ones train.py's --unfreeze-from uses: the fine-tuning model is built on the
base's input, so layer i of the base (without its top) is layer i of the model, and the new head
starts right after the last base layer. The "block" column shows where each block starts.
"""

import argparse
import sys

import numpy as np

from pyimagesearch.nn import applications
from pyimagesearch.transfer import finetuning
from pyimagesearch.utils import cli


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="vgg16", help="keras.applications name: vgg16, vgg19, resnet50, ...")
    parser.add_argument("--include-top", action=argparse.BooleanOptionalAction, default=True,
                        help="keep the ImageNet classifier (the course's first look) or not (what fine-tuning uses)")
    parser.add_argument("--weights", default="imagenet", help="imagenet | none | PATH (the layers are the same)")
    parser.add_argument("--image-size", type=int, default=None, help="square input (default: the backbone's)")
    return parser.parse_args(argv)


def layer_rows(model):
    """(index, name, class, parameters, block start) for every layer."""
    rows, previous_block = [], None
    for index, layer in enumerate(model.layers):
        block = finetuning.block_name(layer.name)
        starts = block if block != previous_block and layer.weights else ""
        if layer.weights:
            previous_block = block
        parameters = int(sum(np.prod(weight.shape) for weight in layer.weights))
        rows.append((index, layer.name, type(layer).__name__, parameters, starts))
    return rows


def main(argv=None):
    arguments = parse_arguments(argv)
    model = applications.build_application(
        arguments.backbone, arguments.weights, include_top=arguments.include_top, image_size=arguments.image_size
    )
    rows = layer_rows(model)
    width = max(len(row[1]) for row in rows)
    print(f"{'index':>5}  {'name':<{width}}  {'class':<24}{'params':>12}  block")
    for index, name, class_name, parameters, starts in rows:
        print(f"{index:>5}  {name:<{width}}  {class_name:<24}{parameters:>12,}  {starts}")
    print(f"[INFO] {arguments.backbone}: {len(rows)} layers, include_top={arguments.include_top}, "
          f"input {tuple(model.input_shape[1:])}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
