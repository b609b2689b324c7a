"""The flags every train script shares, with the experiment's defaults passed explicitly.

    parser = argparse.ArgumentParser(description=__doc__)
    flags.add_run_arguments(parser, **flags.config_defaults(config), dataset_help="...")
    parser.add_argument("--augment", ...)          # then the experiment's own flags
    arguments = flags.parse_run_arguments(parser)  # parsed and checked, nothing written yet

An evaluate script's --run, --output and --batch-size come from `add_evaluate_arguments` and
`parse_evaluate_arguments`, or both at once from `parse_evaluate_command(__doc__, output=...)`.

`config_defaults(config)` reads the seven defaults from the experiment's config module (DATASET,
EPOCHS, BATCH_SIZE, LEARNING_RATE, SEED, OUTPUT, CHECKPOINT_EVERY); a keyword replaces one where
the experiment's default lives elsewhere, e.g. `config_defaults(config, dataset=config.HDF5_DIR)`.

One place for the names, types, help and checks of --dataset, --epochs, --batch-size,
--learning-rate, --seed, --deterministic, --precision, --output, --run-id, --resume, --from-epoch,
--checkpoint-every and --keep-checkpoints, of a run on several processes (--coordinator,
--num-processes, --process-id: `start_processes`), and of the checks a user runs before a long run
(--overfit N, --find-lr, --preview-augmentation; see `fitting.train`), so every train script
reads them the same way and `runs.open_run` can rely on them. `parse_run_arguments` also records which flags were typed on the command line
(`given_flags`), so a resumed run can tell a flag the user changed from a default, and makes a
`--dataset` that names an existing folder or file absolute, so config.json names it for
evaluate.py and --resume run from any working directory.
"""

import argparse
import os

from pyimagesearch.utils import configs, errors, precision, processes, strategy, validation

# The image side a train script's --image-size may take, in pixels: below 8 no network here
# keeps a spatial size; above validation.MAXIMUM_IMAGE_SIZE a typo runs out of memory.
MINIMUM_IMAGE_SIZE = 8


# The keyword defaults of `add_run_arguments` and the config constant each is read from.
CONFIG_CONSTANTS = {
    "dataset": "DATASET",
    "epochs": "EPOCHS",
    "batch_size": "BATCH_SIZE",
    "learning_rate": "LEARNING_RATE",
    "seed": "SEED",
    "output": "OUTPUT",
    "checkpoint_every": "CHECKPOINT_EVERY",
}


def config_defaults(config, **overrides):
    """The keyword defaults `add_run_arguments` needs, read from `config` (an experiment's config
    module, or any object with the constants of `CONFIG_CONSTANTS` as attributes).

    `overrides` replace single values where the experiment keeps them under another name, e.g.
    `dataset=config.HDF5_DIR` or a recipe's `epochs=`; a constant that is overridden need not exist.
    """
    return configs.read_constants(config, CONFIG_CONSTANTS, caller="config_defaults", **overrides)


def add_run_arguments(
    parser,
    *,
    dataset,
    epochs,
    batch_size,
    learning_rate,
    seed,
    output,
    checkpoint_every,
    dataset_help="catalog name or folder of class subfolders",
    epochs_help=None,
    learning_rate_help=None,
):
    """Adds the shared run flags to `parser` (an `argparse.ArgumentParser`) and returns it."""
    parser.add_argument("--dataset", default=dataset, help=dataset_help)
    parser.add_argument("--epochs", type=int, default=epochs, help=epochs_help or "train until this epoch")
    parser.add_argument("--batch-size", type=int, default=batch_size, help="per replica")
    parser.add_argument(
        "--learning-rate", type=float, default=learning_rate,
        help=learning_rate_help or "with --resume: the new rate from the resume epoch on",
    )
    parser.add_argument("--checkpoint-every", type=int, default=checkpoint_every, help="epochs between checkpoints")
    parser.add_argument(
        "--keep-checkpoints", type=int, default=None, metavar="N", help="keep only the newest N (default: all)"
    )
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument(
        "--deterministic", action="store_true",
        help="TensorFlow's deterministic kernels (tf.config.experimental.enable_op_determinism), for GPUs",
    )
    parser.add_argument(
        "--precision", choices=precision.PRECISIONS, default="auto",
        help="auto: mixed_float16 on a GPU with tensor cores, float32 on a CPU (pyimagesearch.utils.precision); "
        "a resumed run keeps its own",
    )
    parser.add_argument(
        "--overfit", type=int, default=None, metavar="N",
        help="sanity check: train on N training images, augmentation off, validated on the same images; "
        "says whether training accuracy reached 0.99",
    )
    parser.add_argument(
        "--find-lr", action="store_true",
        help="learning-rate range test (1e-7 to 10): writes lr_finder.png/json in the run folder, suggests a rate, exits",
    )
    parser.add_argument(
        "--preview-augmentation", action="store_true",
        help="write a grid of augmented training images (augmentation.png) in the run folder and exit",
    )
    _add_process_arguments(parser)
    parser.add_argument("--output", default=output, help="root folder for run folders")
    parser.add_argument("--run-id", default=None, help="name of the run folder (default: a timestamp)")
    parser.add_argument("--resume", default=None, metavar="RUN_DIR", help="continue a run from its newest checkpoint")
    parser.add_argument(
        "--from-epoch", type=int, default=None, metavar="K",
        help="with --resume: restart from the checkpoint of epoch K (later ones are set aside)",
    )
    return parser


def add_evaluate_arguments(parser, *, output, batch_size=64, run_help=None, batch_size_help=None):
    """Adds the flags of an evaluate script, which scores a finished run from its folder alone:
    --run (default: the latest run under --output), --output and --batch-size. Returns `parser`."""
    parser.add_argument("--run", default=None, help=run_help or "run folder (default: the latest under --output)")
    parser.add_argument("--output", default=output, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=batch_size,
                        help=batch_size_help or "images per prediction batch")
    return parser


def parse_evaluate_arguments(parser, argv=None):
    """Parses `argv` (default: sys.argv) with a parser of `add_evaluate_arguments` and checks --batch-size."""
    arguments = parser.parse_args(argv)
    validation.check_integer("--batch-size", arguments.batch_size, minimum=1)
    return arguments


def parse_evaluate_command(description, *, output, argv=None, **options):
    """An evaluate script's whole command line, parsed and checked: a parser with `description`
    (kept as written) and the flags of `add_evaluate_arguments(output=output, **options)`."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    return parse_evaluate_arguments(add_evaluate_arguments(parser, output=output, **options), argv)


def _add_process_arguments(parser):
    """--coordinator, --num-processes and --process-id: one run on several processes (JAX backend)."""
    group = parser.add_argument_group(
        "several processes or machines (KERAS_BACKEND=jax; see README 'Training on several machines')"
    )
    group.add_argument("--coordinator", default=None, metavar="HOST:PORT",
                       help="address of process 0 and a free port there, the same on every process")
    group.add_argument("--num-processes", type=int, default=None, metavar="N", help="how many processes train together")
    group.add_argument("--process-id", type=int, default=None, metavar="I", help="this process: 0 to N-1; 0 writes the run folder")


# Where the processes of a run are, not how it trains: they may differ when a run is resumed,
# and are kept out of the saved arguments (config.json records them under "distribution").
PROCESS_FLAGS = ("coordinator", "num_processes", "process_id")


def parse_run_arguments(parser, argv=None):
    """Parses `argv` (default: sys.argv), checks the shared flags, and returns the namespace.

    The namespace gets `given_flags`, the sorted names of the flags typed on the command line.
    `dataset` becomes an absolute path when it names an existing folder or file (a catalog
    name, or a path that does not exist, is kept as typed). A failed check raises a user
    error before anything is read or written.
    """
    arguments = parser.parse_args(argv)
    arguments.given_flags = sorted(set(given_flags(parser, argv)) - set(PROCESS_FLAGS))
    arguments.dataset = absolute_if_exists(arguments.dataset)
    check_run_arguments(arguments)
    start_processes(arguments)
    if arguments.overfit is not None and hasattr(arguments, "augment"):
        # The check asks whether the model can memorise N fixed images; augmentation would move them.
        arguments.augment = False
    if not arguments.resume:
        # Resolved now so config.json records the policy and why; a resumed run keeps its own.
        choice = precision.resolve(arguments.precision)
        arguments.precision_policy, arguments.precision_reason = choice.policy, choice.reason
    return arguments


def start_processes(arguments):
    """Joins this process to its run (`strategy.initialize`) from --coordinator, --num-processes
    and --process-id, or from the environment a scheduler sets, before anything is read or
    written, so that only process 0 writes; then takes the three flags off `arguments`.

    A run on several processes needs one run folder for all of them: a new run needs --run-id.
    """
    requested = [getattr(arguments, name, None) for name in PROCESS_FLAGS]
    for name in PROCESS_FLAGS:
        if hasattr(arguments, name):
            delattr(arguments, name)
    group = strategy.initialize(*requested)
    if group is not None and not arguments.resume and arguments.run_id is None:
        raise errors.InvalidArgumentError(
            f"A run on {group.num_processes} processes needs the same --run-id NAME on every process (or --resume "
            "RUN_DIR), so that all of them use one run folder. Received: no --run-id"
        )
    return group


def refuse_several_processes(arguments, why):
    """For a script whose training doesn't go through `fitting.train` (so its batches are not
    shared between processes): a user error if --num-processes (or the environment) asks for
    more than one process, before any is started. Takes the three flags off `arguments`."""
    requested = strategy.requested_processes(*[getattr(arguments, name, None) for name in PROCESS_FLAGS])
    for name in PROCESS_FLAGS:
        if hasattr(arguments, name):
            delattr(arguments, name)
    if requested is not None or processes.num_processes() > 1:
        count = requested.num_processes if requested is not None else processes.num_processes()
        raise errors.InvalidArgumentError(f"{why} trains on one process only. Received: {count} processes")


def given_flags(parser, argv=None):
    """The destinations of the options present in `argv`, whatever their values."""
    defaults = [(action, action.default) for action in parser._actions]
    parser_defaults = dict(parser._defaults)
    try:
        for action, _ in defaults:
            action.default = argparse.SUPPRESS
        parser._defaults.clear()
        return set(vars(parser.parse_args(argv)))
    finally:
        for action, default in defaults:
            action.default = default
        parser._defaults.update(parser_defaults)


def absolute_if_exists(path):
    """`path` as an absolute path (str) if it names an existing file or folder, else unchanged."""
    if isinstance(path, (str, os.PathLike)) and os.path.exists(path):
        return os.path.abspath(path)
    return path


def check_run_arguments(arguments):
    """Refuses values of the shared flags that can't make a run, naming the flag."""
    validation.check_integer("--epochs", arguments.epochs, minimum=1)
    validation.check_integer("--batch-size", arguments.batch_size, minimum=1)
    validation.check_number("--learning-rate", arguments.learning_rate, minimum=0, include_minimum=False)
    validation.check_integer("--checkpoint-every", arguments.checkpoint_every, minimum=1)
    validation.check_integer("--seed", arguments.seed, minimum=0)
    if arguments.keep_checkpoints is not None:
        validation.check_integer("--keep-checkpoints", arguments.keep_checkpoints, minimum=1)
    if arguments.from_epoch is not None:
        if not arguments.resume:
            raise errors.InvalidArgumentError(
                f"--from-epoch restarts a run, so it needs --resume RUN_DIR. Received: --from-epoch {arguments.from_epoch}"
            )
        validation.check_integer("--from-epoch", arguments.from_epoch, minimum=1)
    if arguments.overfit is not None:
        validation.check_integer("--overfit", arguments.overfit, minimum=1)
    chosen = [flag for flag, value in (("--overfit", arguments.overfit is not None), ("--find-lr", arguments.find_lr),
                                       ("--preview-augmentation", arguments.preview_augmentation)) if value]
    if len(chosen) > 1 or (chosen and arguments.resume):
        raise errors.InvalidArgumentError(
            "--overfit, --find-lr and --preview-augmentation are checks of a new run: use one at a time, "
            f"without --resume. Received: {' '.join(chosen + (['--resume'] if arguments.resume else []))}"
        )
    if getattr(arguments, "image_size", None) is not None:
        validation.check_image_size("--image-size", arguments.image_size, minimum=MINIMUM_IMAGE_SIZE)
