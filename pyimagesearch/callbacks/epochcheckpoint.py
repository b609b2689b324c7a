"""EpochCheckpoint: periodic full-model checkpoints (with optimizer state) for resuming.

Resume with `latest_checkpoint`:

    path, epoch = latest_checkpoint(checkpoint_dir)
    if path is not None:
        model = keras.saving.load_model(path)   # weights, optimizer state, LR schedule
    model.fit(..., initial_epoch=epoch, epochs=total,
              callbacks=[EpochCheckpoint(checkpoint_dir, every=5, start_at=epoch)])

The `.keras` file holds the optimizer's variables, including its iteration count, so a
step-based learning-rate schedule (e.g. `InverseTimeDecay`) continues where it stopped instead
of restarting, as the course code's resume did. Passing `initial_epoch` also lets
`LearningRateScheduler` see the true epoch.
"""

import pathlib
import re

import keras

from pyimagesearch.utils import atomic, errors, processes, validation

CHECKPOINT_PATTERN = re.compile(r"^epoch_(\d+)\.keras$")


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the full model to `output_dir/epoch_{epoch}.keras` every `every` epochs.

    Args:
        output_dir: folder for the checkpoints (created if missing).
        every: save after every `every`-th epoch (epoch numbers count from 1).
        start_at: the epoch this training resumes at (course API). With
            `fit(initial_epoch=start_at)` Keras already reports absolute epochs; with a plain
            `fit()` (epochs counted from 0) `start_at` is added to them.
        keep: how many of the newest checkpoints to keep; None keeps all. Older ones are deleted
            only after the new one is in place. Checkpoints numbered after the one just saved
            come from an abandoned run (training resumed from an earlier one) and are deleted
            too, so `latest_checkpoint` never returns them.

    Every save is atomic: a temporary `.keras` sibling, then `os.replace`; temporary files
    that a killed process left behind are removed when training begins.
    """

    def __init__(self, output_dir, every=5, start_at=0, keep=2):
        super().__init__()
        self.every = validation.check_integer("every", every, minimum=1)
        self.start_at = validation.check_integer("start_at", start_at, minimum=0)
        self.keep = None if keep is None else validation.check_integer("keep", keep, minimum=1)
        self.output_dir = pathlib.Path(output_dir)
        self._epoch_offset = None

    def on_train_begin(self, logs=None):
        self._epoch_offset = None
        # A checkpoint write killed mid-way (SIGKILL, power loss) leaves a hidden partial file.
        atomic.remove_stale_partials_in(self.output_dir)

    def on_epoch_begin(self, epoch, logs=None):
        if self._epoch_offset is None:
            self._epoch_offset = self._resolve_offset(first_epoch=epoch)

    def on_epoch_end(self, epoch, logs=None):
        if self._epoch_offset is None:
            self._epoch_offset = self._resolve_offset(first_epoch=epoch)
        completed = self._epoch_offset + epoch + 1
        if completed % self.every != 0:
            return
        path = self.output_dir / f"epoch_{completed}.keras"
        atomic.save_model(self.model, path)
        self._remove_stale(completed)

    def _resolve_offset(self, first_epoch):
        if first_epoch == 0:
            return self.start_at
        if self.start_at in (0, first_epoch):
            return 0
        raise errors.InvalidArgumentError(
            f"EpochCheckpoint was told training resumes at epoch {self.start_at}, but fit() started at "
            f"initial_epoch={first_epoch}. Pass the same epoch to both. Received: start_at={self.start_at}"
        )

    def _remove_stale(self, saved_epoch):
        if not processes.is_writer():  # the writer's checkpoints are not this process's to delete
            return
        checkpoints = list_checkpoints(self.output_dir)
        kept = [epoch for epoch in sorted(checkpoints, reverse=True) if epoch <= saved_epoch]
        if self.keep is not None:
            kept = kept[: self.keep]
        for epoch, path in checkpoints.items():
            if epoch not in kept:
                path.unlink(missing_ok=True)


def latest_checkpoint(output_dir):
    """Returns `(path, epoch)` of the newest `epoch_{epoch}.keras` in `output_dir`, or `(None, 0)`.

    `epoch` is the number of completed epochs, i.e. the `initial_epoch` to resume `fit()` at.
    A missing folder counts as no checkpoint (a fresh run).
    """
    checkpoints = list_checkpoints(pathlib.Path(output_dir))
    if not checkpoints:
        return None, 0
    epoch = max(checkpoints)
    return checkpoints[epoch], epoch


def list_checkpoints(output_dir):
    """Returns {epoch: path} of the `epoch_{epoch}.keras` files in `output_dir` ({} if none)."""
    # Temporary files are hidden (".epoch_3.partial-....keras"), so the pattern skips them.
    output_dir = pathlib.Path(output_dir)
    if not output_dir.is_dir():
        return {}
    checkpoints = {}
    for path in output_dir.iterdir():
        match = CHECKPOINT_PATTERN.match(path.name)
        if match and path.is_file():
            checkpoints[int(match.group(1))] = path
    return checkpoints
