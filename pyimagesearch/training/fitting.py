"""Fitting a run: build or resume the model, the callbacks a run uses, fit and save.

Resuming continues at the saved epoch with the optimizer state (and so a step-based
learning-rate schedule) intact; the callbacks are set up so that the history is trimmed
to the resume epoch and `best.keras` is only replaced by a better model. A run stops at the
first NaN or infinite loss, and Ctrl-C ends it with one line that says how to resume; in
both cases nothing diverged or half-written is saved.
"""

import json
import math
import pathlib
import shlex
import sys

import keras

from pyimagesearch.callbacks import epochcheckpoint
from pyimagesearch.callbacks.bestmodelcheckpoint import BestModelCheckpoint
from pyimagesearch.callbacks.epochcheckpoint import EpochCheckpoint
from pyimagesearch.callbacks.terminateonnonfinite import NonFiniteLossError, TerminateOnNonFinite
from pyimagesearch.callbacks.trainingmonitor import TrainingMonitor
from pyimagesearch.io import pipeline
from pyimagesearch.training import checks, learningratefinder, runs
from pyimagesearch.utils import atomic, precision, processes, seeding
from pyimagesearch.utils import strategy as strategies

INTERRUPTED_EXIT_CODE = 130  # what a shell reports for a process ended by Ctrl-C (128 + SIGINT)


def build_or_resume_model(run_dir, strategy, build_and_compile, arguments=None):
    """Returns (model, initial_epoch), resuming from a checkpoint of the run when it has one.

    The checkpoint is the newest, or epoch `arguments.from_epoch`'s (`runs.resume_point`).
    `build_and_compile()` builds and compiles a fresh model; it is called inside
    `strategy.scope()`, as are checkpoint loads, so variables are mirrored on every replica.
    A checkpoint carries the optimizer state, including its iteration count, so a step-based
    learning-rate schedule continues where it stopped instead of restarting. A
    `--learning-rate` typed with `--resume` (`arguments.given_flags`) replaces the resumed
    optimizer's rate from here on: the course's restart workflow.
    """
    from_epoch = getattr(arguments, "from_epoch", None)
    checkpoint_path, epoch = runs.resume_point(run_dir, from_epoch)
    with strategy.scope():
        if checkpoint_path is None:
            return build_and_compile(), 0
        print(f"[INFO] resuming from {checkpoint_path} at epoch {epoch}")
        model = runs.load_model(checkpoint_path)
        if "learning_rate" in getattr(arguments, "given_flags", ()):
            _set_learning_rate(model.optimizer, arguments.learning_rate, checkpoint_path)
        return model, epoch


def _set_learning_rate(optimizer, learning_rate, checkpoint_path):
    if isinstance(optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise runs.schedule_refusal(checkpoint_path, learning_rate)
    current = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    # The optimizer keeps its rate in float32: 0.01 comes back as 0.009999999776.
    if not math.isclose(current, learning_rate, rel_tol=1e-6):
        print(f"[INFO] learning rate {current:g} -> {learning_rate:g} from here on")
        optimizer.learning_rate = learning_rate


def run_callbacks(run_dir, initial_epoch, checkpoint_every=5, monitor="val_loss", keep_checkpoints=None):
    """TerminateOnNonFinite, TrainingMonitor, EpochCheckpoint and BestModelCheckpoint, set up
    to resume correctly. Checkpoints are kept every `checkpoint_every` epochs, all of them
    unless `keep_checkpoints` limits them to the newest N."""
    run_dir = pathlib.Path(run_dir)
    history_path = run_dir / runs.HISTORY_FILE
    return [
        # First, so a diverged batch stops the epoch before any other callback sees it.
        TerminateOnNonFinite(),
        TrainingMonitor(run_dir / runs.HISTORY_PLOT, json_path=history_path, start_at=initial_epoch),
        EpochCheckpoint(
            run_dir / runs.CHECKPOINT_FOLDER, every=checkpoint_every, start_at=initial_epoch, keep=keep_checkpoints
        ),
        BestModelCheckpoint(
            run_dir / runs.BEST_MODEL,
            monitor=monitor,
            initial_value=_best_so_far(run_dir, monitor, initial_epoch),
        ),
    ]


def _best_so_far(run_dir, monitor, initial_epoch):
    """The best monitored value in the epochs a resumed run keeps, so `best.keras` isn't
    replaced by a worse model after resuming. None when there is no best.keras to protect
    (a new run, or a restart that set the later best model aside)."""
    history_path = pathlib.Path(run_dir) / runs.HISTORY_FILE
    if initial_epoch == 0 or not history_path.is_file() or not (pathlib.Path(run_dir) / runs.BEST_MODEL).is_file():
        return None
    with open(history_path, encoding="utf-8") as handle:
        series = json.load(handle).get(monitor, [])[:initial_epoch]
    # Epochs without the metric are stored as None; a diverged epoch may be NaN.
    values = [value for value in series if value is not None and not math.isnan(value)]
    if not values:
        return None
    return max(values) if BestModelCheckpoint.mode_for(monitor) == "max" else min(values)


def start_run(run_dir, arguments, extra=None):
    """What a train script does once its run folder is open: seeds (--seed, --deterministic),
    picks the distribution strategy, writes config.json with the replicas and `extra`, and
    prints the folder. Returns (strategy, global batch size), as `seeded_strategy`."""
    distribution, global_batch_size = seeded_strategy(arguments)
    record_run(run_dir, arguments, distribution, extra)
    return distribution, global_batch_size


def record_run(run_dir, arguments, distribution, extra=None):
    """Writes the run's config.json (`runs.write_run_config`: the arguments, --seed, and as
    extra facts the replicas of `distribution`, then `extra`) and prints the run folder."""
    runs.write_run_config(
        run_dir, vars(arguments), seed=arguments.seed,
        extra={"replicas": distribution.num_replicas_in_sync, **(extra or {})},
    )
    print(f"[INFO] run folder: {run_dir}")


def seeded_strategy(arguments):
    """Seeds (--seed, --deterministic) and picks the distribution strategy; returns it and the
    global batch size (--batch-size times its replicas: Keras splits every batch among them)."""
    seeding.set_seed(arguments.seed, deterministic=arguments.deterministic)
    distribution = strategies.get_strategy()
    return distribution, pipeline.global_batch_size(arguments.batch_size, distribution)


def compile_classifier(model, optimizer):
    """Compiles `model` as every classifier here is: categorical cross-entropy on one-hot labels,
    accuracy reported. Returns `model`, so a `build_and_compile` can end with it."""
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def fit_verbosity():
    """Keras' progress bar on a terminal; one line an epoch in logs and CI."""
    return "auto" if sys.stdout.isatty() else 2


def train(run_dir, strategy, build_and_compile, train_dataset, validation_dataset, arguments):
    """A train script's fit: builds or resumes the model (`build_or_resume_model`) under the run's
    precision, fits it from the resume epoch with the run's callbacks and saves it (`fit_and_save`);
    returns it.

    The pre-flight checks of `flags.add_run_arguments` happen here, so a train script needs no
    code for them; each ends the process once done (SystemExit), before the script evaluates:
    `--preview-augmentation` writes augmentation.png (exit 0); `--find-lr` runs the range test on
    a throw-away model and writes lr_finder.json/png (exit 0); `--overfit N` trains on N training
    images, validated on the same images, and exits 0 if training accuracy reached 0.99, else 1.

    The model returned predicts on this process alone (`Distribution.local_model`: on JAX a
    local copy, on TensorFlow the model itself), so reports see every held-out row.
    """
    run_dir = pathlib.Path(run_dir)
    global_batch = arguments.batch_size * strategy.num_replicas_in_sync
    if getattr(arguments, "preview_augmentation", False):
        path = checks.write_augmentation_preview(train_dataset, run_dir / checks.PREVIEW_NAME)
        print(f"[INFO] wrote {path}: the first training images as the network receives them")
        raise SystemExit(0)
    policy = _run_precision(arguments)
    if getattr(arguments, "find_lr", False):
        _find_learning_rate(run_dir, strategy, build_and_compile, train_dataset, policy)
        raise SystemExit(0)
    overfit = getattr(arguments, "overfit", None)
    if overfit is not None:
        train_dataset = validation_dataset = checks.overfit_dataset(train_dataset, overfit, global_batch)
        print(f"[INFO] --overfit {overfit}: training on {overfit} images, augmentation off, validating on the same")
    with precision.policy_scope(policy):
        model, initial_epoch = build_or_resume_model(run_dir, strategy, build_and_compile, arguments)
    print(f"[INFO] training epochs {initial_epoch + 1}-{arguments.epochs} on {strategy.num_replicas_in_sync} "
          f"replica(s), global batch {global_batch}")
    history = fit_and_save(model, train_dataset, validation_dataset, arguments, run_dir, initial_epoch)
    if overfit is not None:
        reached, message = checks.overfit_verdict(history.history, overfit)
        print(f"[INFO] {message}")
        raise SystemExit(0 if reached else 1)
    if processes.num_processes() > 1:
        print(f"[INFO] process {processes.process_id()} of {processes.num_processes()}: weights fingerprint "
              f"{strategies.weights_fingerprint(model)} (the same on every process of the run)")
    return strategy.local_model(model) if strategy.holds(model) else model


def _run_precision(arguments):
    """The run's Keras dtype policy: resolved when the run began (config.json keeps it, so a
    resumed run trains on in the precision of its checkpoints, whatever this machine's `auto`)."""
    policy = getattr(arguments, "precision_policy", None)
    reason = getattr(arguments, "precision_reason", None)
    if policy is None:  # a run from before --precision, or a script that doesn't parse it
        choice = precision.resolve(getattr(arguments, "precision", "auto"))
        policy, reason = choice.policy, choice.reason
    if getattr(arguments, "resume", None):
        reason = "the run's own, from its config.json"
    print(f"[INFO] precision: {policy} ({reason})")
    return policy


def _find_learning_rate(run_dir, strategy, build_and_compile, train_dataset, policy):
    with precision.policy_scope(policy), strategy.scope():
        model = build_and_compile()
    print("[INFO] learning-rate range test: one step a batch, the rate growing exponentially from 1e-7 to 10")
    with strategy.fitting_scope(model):
        result = learningratefinder.find_learning_rate(model, strategy.distribute_dataset(train_dataset, model))
    json_path, plot_path = learningratefinder.write_results(result, run_dir)
    ending = "stopped when the loss passed 4x its best" if result.stopped_early else "reached the largest rate"
    print(f"[INFO] {len(result.rates)} batches, {ending}; lowest smoothed loss at {result.minimum_rate:.3g}, "
          f"steepest descent at {result.steepest_rate:.3g}")
    print(f"[INFO] suggested --learning-rate {result.suggestion:.3g} (the rate at the lowest loss / 10); "
          f"wrote {json_path} and {plot_path}")


def fit_and_save(model, train_dataset, validation_dataset, arguments, run_dir, initial_epoch):
    """Fits with the run's callbacks from `initial_epoch`, saves the final model and returns
    Keras' `History`.

    A NaN or infinite loss raises `NonFiniteLossError` naming the epoch, the last good
    checkpoint and the command that restarts from it at a lower learning rate. Ctrl-C prints
    the epoch reached, the newest checkpoint and the resume command, and exits with 130.
    A keyed training dataset also gets its epoch callback (`pipeline.epoch_callbacks`), so
    its order, augmentation and the model's dropout in epoch k are the same after a resume.
    `fit` runs inside `get_strategy()`'s fitting scope, on its `distribute_dataset` of both
    datasets (this process's share on JAX). When a run on several processes fails, the
    message says how to resume it on every process.
    """
    callbacks = run_callbacks(
        run_dir, initial_epoch, arguments.checkpoint_every, keep_checkpoints=getattr(arguments, "keep_checkpoints", None)
    ) + pipeline.epoch_callbacks(train_dataset)
    distribution = strategies.get_strategy()
    try:
        with distribution.fitting_scope(model):
            history = model.fit(
                distribution.distribute_dataset(train_dataset, model),
                validation_data=distribution.distribute_dataset(validation_dataset, model),
                epochs=arguments.epochs,
                initial_epoch=initial_epoch,
                callbacks=callbacks,
                # The datasets order their batches themselves (keyed on seed and epoch).
                shuffle=False,
                verbose=fit_verbosity(),
            )
    except NonFiniteLossError as error:
        raise NonFiniteLossError(
            f"{error} {_restart_hint(run_dir, arguments, lower_rate=True)}", error.epoch, error.batch
        ) from error
    except KeyboardInterrupt:
        completed = callbacks[1].epochs  # the TrainingMonitor's count of finished epochs
        print(
            f"\n[INFO] interrupted after epoch {completed} of {arguments.epochs}. "
            f"{_restart_hint(run_dir, arguments, lower_rate=False)}",
            file=sys.stderr,
        )
        raise SystemExit(INTERRUPTED_EXIT_CODE) from None
    except Exception:
        if processes.num_processes() > 1:
            # Most often another process died, and this one's collective step failed with it.
            print(
                f"\n[ERROR] training on {processes.num_processes()} processes stopped in process "
                f"{processes.process_id()} (see the error below; a dead peer shows as a failed collective or a "
                f"heartbeat timeout). {_restart_hint(run_dir, arguments, lower_rate=False)} (on every process)",
                file=sys.stderr, flush=True,
            )
        raise
    atomic.save_model(model, pathlib.Path(run_dir) / runs.FINAL_MODEL)
    return history


def _restart_hint(run_dir, arguments, lower_rate):
    """Where the last good checkpoint is, and the command that continues from it."""
    checkpoint, epoch = epochcheckpoint.latest_checkpoint(pathlib.Path(run_dir) / runs.CHECKPOINT_FOLDER)
    script = shlex.quote(sys.argv[0]) if sys.argv and sys.argv[0] else "train.py"
    if checkpoint is None:
        return "No checkpoint was written yet; start the run again" + (
            " with a lower --learning-rate." if lower_rate else "."
        )
    command = f"python {script} --resume {shlex.quote(str(run_dir))}"
    if lower_rate:
        command += f" --from-epoch {epoch} --learning-rate {arguments.learning_rate / 10:g}"
    return f"The last good checkpoint is {checkpoint} (epoch {epoch}); continue with: {command}"
