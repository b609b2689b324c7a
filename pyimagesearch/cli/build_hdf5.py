"""`pyimagesearch-build-hdf5`: train/val/test HDF5 files from a folder of images or a catalog name.

    pyimagesearch-build-hdf5 --dataset synthetic-flowers17 --output datasets/synthetic-flowers17-hdf5 \\
        --image-size 64

The work is `pyimagesearch.io.builder.build_from_dataset`; this module only parses flags. An
experiment's build_dataset.py passes its config module, whose constants `CONFIG_CONSTANTS` names:

    build_hdf5.experiment_main(config, description=__doc__)
"""

import argparse
import sys

from pyimagesearch.datasets import imagefiles
from pyimagesearch.io import builder
from pyimagesearch.preprocessing import resizing
from pyimagesearch.utils import cli, configs, errors

# The keyword defaults an experiment's build_dataset.py reads from its config module.
CONFIG_CONSTANTS = dict(dataset="DATASET", output_dir="HDF5_DIR", image_size="IMAGE_SIZE", name="DATASET_NAME",
                        val_size="NUM_VAL_IMAGES", test_size="NUM_TEST_IMAGES", seed="SEED")
EXPERIMENT_PROG = "build_dataset.py"


def parse_split_size(text):
    """argparse type: "0.1" is a fraction, "2500" a number of images."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction or a number of images, got {text!r}") from None


def argument_parser(prog="pyimagesearch-build-hdf5", description=None, **defaults):
    """The builder's flags; keyword arguments override defaults (an experiment passes its own).

    `--dataset` and `--output` are required unless a default is given for them; the stored
    size is `--width` and `--height`, or `--image-size` for both.
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description or "Build train/val/test HDF5 files (uint8, shuffled, with the training mean).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dataset", required="dataset" not in defaults, help="a folder of images or a catalog name"
    )
    parser.add_argument(
        "--output", dest="output_dir", required="output_dir" not in defaults,
        help="the folder to create (train.hdf5, val.hdf5, test.hdf5, ...)",
    )
    parser.add_argument("--image-size", type=int, default=None, help="stored width and height, for square images")
    parser.add_argument("--width", type=int, default=None, help="stored image width")
    parser.add_argument("--height", type=int, default=None, help="stored image height")
    parser.add_argument("--name", default=None, help="dataset name for <name>_mean.json (default: the folder name)")
    parser.add_argument(
        "--layout", choices=imagefiles.LAYOUTS, default="auto", help="class folders, or Kaggle's flat cat.1.jpg"
    )
    parser.add_argument("--val-size", type=parse_split_size, default=0.1, help="fraction or number of images (0: none)")
    parser.add_argument("--test-size", type=parse_split_size, default=0.1, help="fraction or number of images (0: none)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--resize", choices=resizing.RESIZE_MODES, default="aspect", help="aspect: scale and centre-crop"
    )
    parser.add_argument("--workers", type=int, default=None, help="decoding threads (default: all CPUs)")
    parser.add_argument(
        "--use-multiprocessing", action="store_true", help="decode in worker processes instead of threads"
    )
    parser.add_argument("--compression", choices=("lzf", "gzip"), default=None)
    parser.add_argument(
        "--max-image-pixels", type=int, default=imagefiles.MAX_IMAGE_PIXELS, metavar="N",
        help="skip images of more pixels, checked before decoding (default: %(default)s, Pillow's limit)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True)
    parser.set_defaults(**defaults)
    return parser


def build(arguments):
    """Builds from parsed arguments (flag names are `build_from_dataset`'s keywords)."""
    options = vars(arguments).copy()
    image_size = options.pop("image_size")
    for name in ("width", "height"):
        if options[name] is None:
            if image_size is None:
                raise errors.InvalidArgumentError(
                    f"Give the stored size: --image-size N, or --width and --height. Received: --{name}=None"
                )
            options[name] = image_size
    return builder.build_from_dataset(**options)


def main(argv=None, prog="pyimagesearch-build-hdf5", description=None, **defaults):
    """Returns the exit code: 0, or 2 with one `error:` line for bad input."""
    parser = argument_parser(prog, description, **defaults)
    return cli.run(lambda: build(parser.parse_args(argv)))


def experiment_main(config, argv=None, description=None):
    """`main` for an experiment's build_dataset.py, with the defaults of `CONFIG_CONSTANTS` read
    from `config`. Returns the exit code."""
    defaults = configs.read_constants(config, CONFIG_CONSTANTS, caller="experiment_main")
    return main(argv, prog=EXPERIMENT_PROG, description=description, **defaults)


if __name__ == "__main__":
    sys.exit(main())
