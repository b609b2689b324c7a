"""Train the members of an ensemble: N MiniVGGNets on CIFAR-10 that differ only in their seed.

    python experiments/ensemble_cifar10/train_models.py --dataset synthetic-cifar10 --models 5
    python experiments/ensemble_cifar10/train_models.py --resume output/ensemble_cifar10/<ensemble-id>
    python experiments/ensemble_cifar10/test_ensemble.py [--ensemble output/ensemble_cifar10/<ensemble-id>]

The ensemble gets a folder output/ensemble_cifar10/<ensemble-id>/ (its config.json and
ensemble.json), and member k its own run folder beside it, <ensemble-id>-m<k>/, made like any
train script's run (history, checkpoints, model.keras, its test report), trained with seed
--seed + k. The members train one after another, each in a process of its own
(`sessions.run_in_own_process`): TensorFlow keeps part of every graph-mode fit after its model
is gone, and only a process's exit returns that. This process builds no model; it waits for
each member and records in ensemble.json the member process's own peak memory and its own.
An error in a member's process is raised again here, with that process's traceback.

`--resume ENSEMBLE_DIR` skips the members that finished, resumes a member that stopped from
its newest checkpoint and trains the members not started yet; a larger --epochs continues
every member to it. `--from-epoch` is refused: it restarts one run, and an ensemble has several.
The shared checks (--overfit N, --find-lr, --preview-augmentation) run on the first member and exit.
"""

import argparse
import copy
import json
import os
import sys

import keras

import config
from pyimagesearch.callbacks import schedules
from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.nn.conv.minivggnet import MiniVGGNet
from pyimagesearch.preprocessing.augmentation import build_augmentation
from pyimagesearch.training import fitting, flags, reports, runs
from pyimagesearch.utils import atomic, cli, errors, seeding, sessions, strategy, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        dataset_help="cifar10, synthetic-cifar10, or a folder holding cifar-10-batches-bin/",
    )
    parser.add_argument("--models", type=int, default=config.MODELS, help="members of the ensemble")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT)
    arguments = flags.parse_run_arguments(parser)
    validation.check_integer("--models", arguments.models, minimum=1)
    if arguments.from_epoch is not None:
        raise errors.InvalidArgumentError(
            "--from-epoch restarts one run, and an ensemble has several: restart a member with "
            "--resume on the ensemble after moving that member aside, or train a new ensemble. "
            f"Received: --from-epoch {arguments.from_epoch}"
        )
    return arguments


def member_dir(ensemble_dir, index):
    return ensemble_dir.parent / f"{ensemble_dir.name}-m{index}"


def is_finished(run_dir, epochs):
    """A member is done when it saved its model and report after `epochs` epochs."""
    history_path = run_dir / runs.HISTORY_FILE
    if not ((run_dir / runs.FINAL_MODEL).is_file() and (run_dir / "metrics.json").is_file() and history_path.is_file()):
        return False
    with open(history_path, encoding="utf-8") as handle:
        return len(json.load(handle).get("loss", [])) >= epochs


def open_member(arguments, ensemble_dir, index):
    """(run folder, arguments) of member `index`: resumed if it was started, else new."""
    member_arguments = copy.copy(arguments)
    folder = member_dir(ensemble_dir, index)
    if (folder / runs.CONFIG_NAME).is_file():
        member_arguments.resume = str(folder)
    else:
        member_arguments.resume = None
        member_arguments.run_id = folder.name
        member_arguments.seed = arguments.seed + index
    return runs.open_run(member_arguments, config.EXPERIMENT), member_arguments


def train_member(arguments, ensemble_dir, index):
    """Trains (or finishes) member `index` and returns its record for ensemble.json.

    It runs in the member's own process, so it loads the data and makes the strategy itself.
    """
    data = cifar10.load_cifar10(arguments.dataset)
    distribution = strategy.get_strategy()
    run_dir, member_arguments = open_member(arguments, ensemble_dir, index)
    seeding.set_seed(member_arguments.seed, deterministic=member_arguments.deterministic)
    runs.write_run_config(run_dir, vars(member_arguments), seed=member_arguments.seed, extra={
        "replicas": distribution.num_replicas_in_sync, "ensemble": ensemble_dir.name, "member": index,
        "process_id": os.getpid(),
    })
    print(f"[INFO] member {index + 1} of {arguments.models}: {run_dir} (seed {member_arguments.seed})")
    global_batch_size = member_arguments.batch_size * distribution.num_replicas_in_sync
    augmentation = (build_augmentation(rotation=config.ROTATION, width_shift=config.SHIFT, height_shift=config.SHIFT,
                                       shear=0, zoom=0, horizontal_flip=True, seed=member_arguments.seed)
                    if member_arguments.augment else None)
    train_dataset, test_dataset = cifar10pipeline.make_cifar10_datasets(
        data, global_batch_size, member_arguments.seed, augmentation=augmentation
    )

    def build_and_compile():
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=len(data.class_names))
        learning_rate = schedules.inverse_time_decay(member_arguments.learning_rate, config.DECAY)
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=config.MOMENTUM, nesterov=True)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, member_arguments)
    metrics = reports.evaluate_and_report(model, test_dataset, data.test_labels, data.class_names, run_dir)
    print(f"[INFO] member {index}: test accuracy {metrics['accuracy']:.4f}")
    return {"index": index, "run": run_dir.name, "seed": member_arguments.seed, "test_accuracy": metrics["accuracy"]}


def write_summary(ensemble_dir, arguments, members):
    atomic.write_json_atomic(ensemble_dir / config.SUMMARY_FILE, {
        "ensemble": ensemble_dir.name, "dataset": arguments.dataset, "models": arguments.models,
        "epochs": arguments.epochs, "members": members,
    })


def previous_members(ensemble_dir):
    path = ensemble_dir / config.SUMMARY_FILE
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {member["index"]: member for member in json.load(handle)["members"]}


def find_data(arguments):
    """Downloads (or generates) the dataset if needed; the member processes read it."""
    cifar10.batches_folder(arguments.dataset)


def main():
    arguments = parse_arguments()
    # Before the ensemble's folder is made, so a missing dataset leaves nothing behind.
    ensemble_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=lambda: find_data(arguments))
    if arguments.resume:
        find_data(arguments)
    runs.write_run_config(ensemble_dir, vars(arguments), seed=arguments.seed, extra={
        "members": [member_dir(ensemble_dir, index).name for index in range(arguments.models)],
    })
    print(f"[INFO] ensemble folder: {ensemble_dir}")
    done = previous_members(ensemble_dir)
    members = []
    for index in range(arguments.models):
        if is_finished(member_dir(ensemble_dir, index), arguments.epochs) and index in done:
            print(f"[INFO] member {index} finished already: {member_dir(ensemble_dir, index)}")
            members.append(done[index])
            continue
        outcome = sessions.run_in_own_process(train_member, arguments, ensemble_dir, index)
        member = dict(outcome.value, member_peak_memory_bytes=outcome.peak_memory_bytes,
                      parent_peak_memory_bytes=sessions.peak_memory_bytes())
        print(f"[INFO] peak memory of member {index}'s process: {member['member_peak_memory_bytes'] / 2**20:.0f} MiB; "
              f"of this process so far: {member['parent_peak_memory_bytes'] / 2**20:.0f} MiB")
        members.append(member)
        write_summary(ensemble_dir, arguments, members)  # after every member, so a stop keeps the record
    write_summary(ensemble_dir, arguments, members)
    best = max(members, key=lambda member: member["test_accuracy"])
    print(f"[INFO] {len(members)} members trained; best member {best['index']}: {best['test_accuracy']:.4f}. "
          f"Evaluate the ensemble with: python experiments/ensemble_cifar10/test_ensemble.py --ensemble {ensemble_dir}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
