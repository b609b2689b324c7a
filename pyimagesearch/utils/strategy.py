"""One call that picks the `tf.distribute` strategy every train script runs inside."""

import os

import tensorflow as tf

from pyimagesearch.utils import errors, validation

CPU_REPLICAS_VARIABLE = "PYIMAGESEARCH_CPU_REPLICAS"


def configure_cpu_replicas(count):
    """Splits the physical CPU into `count` logical devices, so tests can run 2 replicas.

    TensorFlow fixes its devices when it initialises, so this must run before any op does.
    """
    count = validation.check_positive_integer("count", count)
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
        )
    except RuntimeError as error:
        already = len(tf.config.list_logical_devices("CPU"))
        if already != count:
            raise RuntimeError(
                f"TensorFlow is already initialised with {already} CPU device(s); call "
                f"configure_cpu_replicas before any TensorFlow op runs. Received: count={count}"
            ) from error


_STRATEGY = None


def get_strategy():
    """Returns MirroredStrategy over all local GPUs, or over the CPU when there is none.

    The strategy is made once per process and returned again on later calls. A second
    MirroredStrategy in the same process starts its collective-op keys afresh, and a
    collective left over from the first one's last step then collides with the second one's
    ("Shape mismatch in the collective instance 100").

    Without a GPU this is one CPU replica, unless the CPU was split into logical devices
    (see `configure_cpu_replicas`, or the PYIMAGESEARCH_CPU_REPLICAS environment variable),
    in which case every logical CPU is a replica. Build the model and the optimizer inside
    `strategy.scope()`, and use a global batch size of per-replica size times
    `strategy.num_replicas_in_sync`.
    """
    requested = os.environ.get(CPU_REPLICAS_VARIABLE)
    if requested:
        if not requested.isdigit() or int(requested) < 1:
            raise errors.InvalidArgumentError(
                f"{CPU_REPLICAS_VARIABLE} must be a positive integer. Received: {requested!r}"
            )
        if not tf.config.list_physical_devices("GPU"):
            configure_cpu_replicas(int(requested))
    global _STRATEGY
    if _STRATEGY is None:
        _STRATEGY = tf.distribute.MirroredStrategy([device.name for device in _replica_devices()])
    return _STRATEGY


def replica_count():
    """How many replicas `get_strategy()` trains on: the local GPUs, or the logical CPUs."""
    return len(_replica_devices())


def _replica_devices():
    return tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
