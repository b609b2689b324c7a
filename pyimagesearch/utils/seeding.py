"""Seeding: one call makes Python, NumPy and TensorFlow/Keras repeatable, and every random stream
of a training run a function of the seed and of the position in the run.

A seed alone is not enough for a run that is stopped and resumed, or whose input pipeline runs
on several threads: a generator seeded once hands out numbers in the order it is asked, so the
numbers depend on what the process did before and on which thread came first. Here each stream
is keyed instead, and a NumPy generator is made for each key (`generator`):

- `SHUFFLE`, (seed, SHUFFLE, epoch): the order of the rows (or HDF5 slices) in that epoch;
- `AUGMENTATION`, (seed, AUGMENTATION, epoch, row): the random transform of one image;
- `LAYERS`, (seed, LAYERS, epoch, index): the starting state of the model's index-th random
  layer (Dropout) in that epoch, so its masks are a function of (seed, epoch, step).

`EpochSeeds` is the epoch those keys read: a Keras callback that follows `fit`, including
`fit(initial_epoch=k)` in a new process. It also evens out the one piece of non-random state
that a checkpoint does not carry exactly: under MirroredStrategy each replica keeps its own
BatchNormalization moving statistics, and a saved model keeps only the first replica's
(`align_replicas`). Shuffled and augmented datasets from
`pyimagesearch.io.pipeline` and `pyimagesearch.io.hdf5pipeline` carry one
(`pipeline.epoch_callbacks(dataset)`).
"""

import threading

import keras
import numpy as np
import tensorflow as tf

from pyimagesearch.utils import validation

# The stream ids: the second entry of every key, so that two streams never share a generator.
SHUFFLE = 0
AUGMENTATION = 1
LAYERS = 2
PATCHES = 3  # reserved for random patches keyed like the augmentation (PatchPreprocessor)

# Keras' TensorFlow backend folds a SeedGenerator's int64 state into int32 with
# `floormod(state, int32.max - 1)`; keys below that stay distinct.
_LAYER_KEY_LIMIT = 2**31 - 2
_SEED_STATE_NAME = "seed_generator_state"


def set_seed(seed, deterministic=False):
    """Seeds Python's `random`, NumPy and the backend through `keras.utils.set_random_seed`.

    With `deterministic=True` it also calls `tf.config.experimental.enable_op_determinism()`,
    which makes TensorFlow pick deterministic kernels where the default ones are not (on GPUs:
    cuDNN convolution backprop, some reductions and scatters) and raise `UnimplementedError`
    for an op that has none. On the CPU this project's runs repeat without it. It is
    process-wide and can't be undone by `deterministic=False`.
    """
    # Not `check_seed`, which lets None through: this call is what makes a run repeatable.
    seed = validation.check_integer("seed", seed, minimum=0)
    validation.check_booleans(deterministic=deterministic)
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed


def resolve_seed(seed):
    """Returns `seed`, or for None a seed drawn from NumPy's global generator.

    `set_seed` seeds that generator, so an unseeded pipeline built after it still repeats.
    """
    seed = validation.check_seed(seed)
    return int(np.random.randint(0, 2**31 - 1)) if seed is None else seed


def generator(seed, stream, *position):
    """A NumPy generator that is a function of (seed, stream, *position) and nothing else.

    `position` are non-negative integers, such as (epoch,) or (epoch, row).
    """
    return np.random.default_rng([int(seed), int(stream), *(int(value) for value in position)])


def reseed_random_layers(model, seed, epoch):
    """Sets the state of every random layer of `model` (Dropout, ...) from (seed, epoch).

    Keras keeps that state in a `SeedGenerator` variable that `model.save` leaves out: a
    model loaded from a checkpoint starts its masks again from the state it was built with.
    Set at the start of every epoch, the masks of step s of epoch k are a function of
    (seed, k, s), in an uninterrupted run and in a resumed one alike.
    """
    for index, state in enumerate(_seed_states(model)):
        key = generator(seed, LAYERS, epoch, index).integers(0, _LAYER_KEY_LIMIT)
        state.assign(np.array([key, 0], dtype=np.dtype(state.dtype)))


def align_replicas(model):
    """Copies the first replica's non-trainable weights to every other replica of `model`.

    Keras 3 with TensorFlow's MirroredStrategy updates BatchNormalization's moving mean and
    variance on every replica from that replica's share of the batch, so the copies drift
    apart; `model.save` writes the first replica's, and a model loaded from it starts with that
    copy on every replica. Aligned at the same points, an uninterrupted run and a resumed one
    have the same statistics, and validation sees the statistics that are saved.
    """
    strategy = getattr(model, "distribute_strategy", None)
    if strategy is None or strategy.num_replicas_in_sync < 2:
        return
    for weight in model.non_trainable_weights:
        copies = strategy.experimental_local_results(weight.value)
        if len(copies) > 1:
            weight.assign(tf.convert_to_tensor(copies[0]))


def _seed_states(model):
    return [variable for variable in model.variables if variable.name == _SEED_STATE_NAME]


class EpochSeeds(keras.callbacks.Callback):
    """The epoch of a run, for the random streams keyed on it, kept by a Keras callback.

    A dataset asks `next_epoch()` when a pass over it starts and computes that pass from
    (seed, epoch). Given to `fit` as a callback, this follows Keras' own epoch: every pass
    that starts during epoch k sees k, whatever extra iterators Keras opens (it opens one to
    build the model and one ahead at the end of each epoch), so `fit(initial_epoch=k)` in a
    new process sees the passes of an uninterrupted run. It also re-seeds the model's random
    layers at the start of every epoch (`reseed_random_layers`). Outside `fit`, every pass
    counts one epoch on, starting at `initial_epoch`. At the start of every epoch and of
    every validation it aligns the replicas' non-trainable weights (`align_replicas`).
    """

    def __init__(self, seed, initial_epoch=0):
        super().__init__()
        self.seed = validation.check_integer("seed", seed, minimum=0)
        self._epoch = validation.check_integer("initial_epoch", initial_epoch, minimum=0)
        self._in_fit = False
        # tf.data may start passes from its own threads.
        self._lock = threading.Lock()

    @property
    def epoch(self):
        """The epoch the next pass will see."""
        return self._epoch

    def next_epoch(self):
        """The epoch of a pass that starts now: Keras' epoch during `fit`, else the next one."""
        with self._lock:
            epoch = self._epoch
            if not self._in_fit:
                self._epoch += 1
            return epoch

    def on_epoch_begin(self, epoch, logs=None):
        with self._lock:
            self._epoch = epoch
            self._in_fit = True
        if self.model is not None:
            align_replicas(self.model)
            reseed_random_layers(self.model, self.seed, epoch)

    def on_test_begin(self, logs=None):
        if self.model is not None:
            align_replicas(self.model)

    def on_train_end(self, logs=None):
        with self._lock:
            if self._in_fit:
                self._epoch += 1
            self._in_fit = False
