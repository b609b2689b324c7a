"""train_model.py of the transfer-learning experiments: logistic regression on a features file.

    python experiments/transfer_flowers17/train_model.py --features datasets/features/x.hdf5

The work is `pyimagesearch.transfer.classifiers.train_run`; this module only parses flags.
An experiment passes its name and its defaults explicitly, or its config module, whose
constants `CONFIG_CONSTANTS` names:

    train_classifier.main(experiment="transfer_flowers17", features=config.FEATURES_PATH, ...)
    train_classifier.experiment_main(config, description=__doc__)
"""

import argparse

from pyimagesearch.transfer import classifiers
from pyimagesearch.utils import cli, configs

# The keyword defaults an experiment's train_model.py reads from its config module.
CONFIG_CONSTANTS = dict(features="FEATURES_PATH", c_values="C_VALUES", train_fraction="TRAIN_FRACTION",
                        folds="FOLDS", max_iter="MAX_ITER", seed="SEED", output="OUTPUT")


def argument_parser(prog=None, description=None, **defaults):
    """The flags; keyword arguments (`features`, `c_values`, `train_fraction`, `folds`, `jobs`,
    `max_iter`, `seed`, `output`) set the defaults; `--features` is required unless given."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description or "Logistic regression on a features file (course's index split, C by grid search).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--features", required="features" not in defaults, help="features HDF5 file")
    parser.add_argument(
        "--c-values", type=float, nargs="+", default=list(classifiers.DEFAULT_C_VALUES), help="grid of C"
    )
    parser.add_argument(
        "--train-fraction", type=float, default=classifiers.DEFAULT_TRAIN_FRACTION, help="first rows that train"
    )
    parser.add_argument(
        "--folds", type=int, default=classifiers.DEFAULT_FOLDS, help="cross-validation folds for the grid"
    )
    parser.add_argument("--jobs", type=int, default=1, help="parallel fits (-1: all CPUs)")
    parser.add_argument("--max-iter", type=int, default=classifiers.DEFAULT_MAX_ITER)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default="output", help="root folder for run folders")
    parser.add_argument("--run-id", default=None, help="name of the run folder (default: a timestamp)")
    if "c_values" in defaults:
        defaults["c_values"] = list(defaults["c_values"])
    parser.set_defaults(**defaults)
    return parser


def main(experiment, argv=None, prog="train_model.py", description=None, **defaults):
    """Returns the exit code: 0, or 2 with one `error:` line for bad input (no run folder left)."""
    parser = argument_parser(prog, description, **defaults)
    return cli.run(lambda: classifiers.train_run(parser.parse_args(argv), experiment))


def experiment_main(config, argv=None, description=None):
    """`main` for an experiment's train_model.py: the run is named `config.EXPERIMENT` and the
    defaults are the constants of `CONFIG_CONSTANTS`. Returns the exit code."""
    defaults = configs.read_constants(config, CONFIG_CONSTANTS, caller="experiment_main")
    return main(config.EXPERIMENT, argv, description=description, **defaults)
