"""`pyimagesearch-extract-features`: features of images from a pre-trained network, into HDF5.

    pyimagesearch-extract-features --dataset flowers17 \\
        --output datasets/features/flowers17_vgg16.hdf5 --backbone vgg16
    pyimagesearch-extract-features --dataset datasets/dogs-vs-cats-hdf5/train.hdf5 \\
        --output datasets/features/dogs_vs_cats_resnet50.hdf5 --backbone resnet50 --pooling avg
    pyimagesearch-extract-features --dataset digits --backbone model.keras --layer fc1 ...

The work is `pyimagesearch.transfer.features.extract_features`; this module only parses flags
(each flag's destination is that function's keyword). An experiment's extract_features.py
passes its config module, whose constants `CONFIG_CONSTANTS` names:

    extract_features.experiment_main(config, description=__doc__)
"""

import argparse
import sys

from pyimagesearch.datasets import imagefiles
from pyimagesearch.preprocessing import resizing
from pyimagesearch.transfer import features
from pyimagesearch.utils import cli, configs, precision

# The keyword defaults an experiment's extract_features.py reads from its config module;
# POOLING may be left out (the default: flatten).
CONFIG_CONSTANTS = dict(source="DATASET", output_path="FEATURES_PATH", backbone="BACKBONE", pooling="POOLING",
                        batch_size="BATCH_SIZE", buffer_size="BUFFER_SIZE", shuffle="SHUFFLE", seed="SEED")
OPTIONAL_CONSTANTS = ("pooling",)
EXPERIMENT_PROG = "extract_features.py"


def argument_parser(prog="pyimagesearch-extract-features", description=None, **defaults):
    """The flags; keyword arguments (`extract_features`' names) override the defaults.

    `--dataset` and `--output` are required unless a default is given for them (`source`,
    `output_path`).
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description or "Extract features of images with a pre-trained network into an HDF5 file.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dataset", dest="source", required="source" not in defaults,
        help="folder (class subfolders or flat cat.1.jpg), catalog name, or image HDF5 file",
    )
    parser.add_argument(
        "--output", dest="output_path", required="output_path" not in defaults, help="features HDF5 file to write"
    )
    parser.add_argument(
        "--backbone", default="vgg16", help="keras.applications name (e.g. vgg16, resnet50) or a .keras file"
    )
    parser.add_argument("--layer", dest="layer_name", default=None, help="feature layer (required for a .keras file)")
    parser.add_argument(
        "--weights", default="auto",
        help="imagenet | none | PATH of a weights file (default: ImageNet for a name, the file's own for .keras)",
    )
    parser.add_argument("--pooling", choices=features.POOLINGS, default=None, help="pool over space (default: flatten)")
    parser.add_argument("--image-size", type=int, default=None, help="square input size (default: the network's)")
    parser.add_argument(
        "--preprocessing", choices=("auto",) + features.FILE_PREPROCESSING, default="auto",
        help="for .keras files: scale (BGR/255, default), none, caffe, tf, torch",
    )
    parser.add_argument(
        "--precision", choices=precision.PRECISIONS, default="auto",
        help="auto: mixed_float16 on a GPU with tensor cores, float32 on a CPU (see pyimagesearch.utils.precision)",
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--buffer-size", type=int, default=1000, help="rows held before writing")
    parser.add_argument(
        "--shuffle", action=argparse.BooleanOptionalAction, default=True,
        help="shuffle rows once, seeded (default), so the index split of train_model.py is random",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--layout", choices=imagefiles.LAYOUTS, default="auto", help="class folders, or Kaggle's flat cat.1.jpg"
    )
    parser.add_argument("--resize", choices=resizing.RESIZE_MODES, default="stretch")
    parser.add_argument(
        "--max-image-pixels", type=int, default=imagefiles.MAX_IMAGE_PIXELS, metavar="N",
        help="skip images of more pixels, checked before decoding (default: %(default)s, Pillow's limit)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True)
    parser.set_defaults(**defaults)
    return parser


def main(argv=None, prog="pyimagesearch-extract-features", description=None, **defaults):
    """Returns the exit code: 0, or 2 with one `error:` line for bad input."""
    parser = argument_parser(prog, description, **defaults)
    return cli.run(lambda: extract(parser.parse_args(argv)))


def experiment_main(config, argv=None, description=None):
    """`main` for an experiment's extract_features.py, with the defaults of `CONFIG_CONSTANTS`
    read from `config`. Returns the exit code."""
    defaults = configs.read_constants(config, CONFIG_CONSTANTS, optional=OPTIONAL_CONSTANTS, caller="experiment_main")
    return main(argv, prog=EXPERIMENT_PROG, description=description, **defaults)


def extract(arguments):
    """Resolves --precision (printing what it chose and why), then extracts."""
    choice = precision.resolve(arguments.precision)
    print(f"[INFO] precision: {choice.policy} ({choice.reason})")
    arguments.precision = choice.policy
    return features.extract_features(**vars(arguments))


if __name__ == "__main__":
    sys.exit(main())
