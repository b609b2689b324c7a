"""The flags every train script shares, with the experiment's defaults passed explicitly.

    parser = argparse.ArgumentParser(description=__doc__)
    flags.add_run_arguments(
        parser, dataset=config.DATASET, epochs=config.EPOCHS, batch_size=config.BATCH_SIZE,
        learning_rate=config.LEARNING_RATE, seed=config.SEED, output=config.OUTPUT,
        checkpoint_every=config.CHECKPOINT_EVERY,
    )
    parser.add_argument("--augment", ...)          # then the experiment's own flags

One place for the names, types and help of --dataset, --epochs, --batch-size,
--learning-rate, --seed, --output, --run-id, --resume and --checkpoint-every, so every
train script reads them the same way and `runs.open_run` can rely on them.
"""


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
):
    """Adds the shared run flags to `parser` (an `argparse.ArgumentParser`) and returns it."""
    parser.add_argument("--dataset", default=dataset, help=dataset_help)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size, help="per replica")
    parser.add_argument("--learning-rate", type=float, default=learning_rate)
    parser.add_argument("--checkpoint-every", type=int, default=checkpoint_every, help="epochs between checkpoints")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--output", default=output, help="root folder for run folders")
    parser.add_argument("--run-id", default=None, help="name of the run folder (default: a timestamp)")
    parser.add_argument("--resume", default=None, metavar="RUN_DIR", help="continue an interrupted run")
    return parser
