"""The one distribution helper: what every train script trains inside, on either Keras backend.

    distribution = strategy.get_strategy()
    with distribution.scope():
        model = build_and_compile()
    global_batch_size = per_device_batch_size * distribution.num_replicas_in_sync

- TensorFlow backend (the default): `tf.distribute.MirroredStrategy` over all local GPUs, or
  over the CPU when there is none. One process only: TensorFlow's MultiWorkerMirroredStrategy
  fails in the first step of Keras 3's `fit` ("Attempt to convert a value (PerReplica:...",
  keras-team/keras issue 20585), so a run on several processes is refused on this backend.
- JAX backend (`KERAS_BACKEND=jax`, installed with `pip install -e ".[jax]"`):
  `keras.distribution.DataParallel` over every device of every process, with unmodified
  `model.fit`. Across processes (and machines) JAX's distributed runtime connects them;
  `initialize` starts it, from the shared train-script flags `--coordinator HOST:PORT
  --num-processes N --process-id I` (`flags.parse_run_arguments` calls it) or, without them,
  from the environment: Keras' own `KERAS_DISTRIBUTION_JOB_ADDRESSES`,
  `KERAS_DISTRIBUTION_NUM_PROCESSES` and `KERAS_DISTRIBUTION_PROCESS_ID`, or, inside a SLURM
  job step (`srun`) of more than one task, `SLURM_NTASKS`, `SLURM_PROCID` and the first host of
  `SLURM_STEP_NODELIST` (JAX's own SLURM detection, which also needs `SLURM_JOB_ID` and
  `SLURM_LOCALID`, and derives the port from the job id).

Every process runs the same program on the same global datasets (same seed, same order);
`Distribution.distribute_dataset` keeps this process's contiguous share of every global batch.
Keras' own `auto_shard_dataset` is off: it rebatches the stream across batch boundaries, so it
needs every epoch (validation included) to be a whole number of full global batches. A JAX
batch must also split evenly over the devices, so the few rows of a batch that don't (fewer
than the number of devices) are left out of that batch in `fit`; predictions and reports are
made afterwards on a local copy of the model (`Distribution.local_model`), on every row. Only
process 0 writes files (`pyimagesearch.utils.processes`).

When a process dies, JAX's distributed runtime ends the others: a collective step fails at
once when its peer's connection closes, and a process that stops sending heartbeats for
`PYIMAGESEARCH_HEARTBEAT_TIMEOUT` seconds (default 60) is declared dead, which terminates the
rest with a non-zero exit code. The processes wait up to `INITIALIZATION_TIMEOUT_SECONDS` for
each other at the start.
"""

import collections
import contextlib
import hashlib
import os
import re
import tempfile

import keras
import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, processes, validation

CPU_REPLICAS_VARIABLE = "PYIMAGESEARCH_CPU_REPLICAS"
HEARTBEAT_TIMEOUT_VARIABLE = "PYIMAGESEARCH_HEARTBEAT_TIMEOUT"
DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 60
INITIALIZATION_TIMEOUT_SECONDS = 300
# How long a finished process waits at exit for the others to finish too.
SHUTDOWN_TIMEOUT_SECONDS = 300
MULTI_WORKER_ISSUE = "keras-team/keras issue 20585"
KERAS_ADDRESSES_VARIABLE = "KERAS_DISTRIBUTION_JOB_ADDRESSES"
KERAS_PROCESSES_VARIABLE = "KERAS_DISTRIBUTION_NUM_PROCESSES"
KERAS_PROCESS_ID_VARIABLE = "KERAS_DISTRIBUTION_PROCESS_ID"
# The variables JAX's SLURM detection reads (jax._src.clusters.slurm_cluster).
SLURM_VARIABLES = ("SLURM_JOB_ID", "SLURM_STEP_NODELIST", "SLURM_NTASKS", "SLURM_PROCID", "SLURM_LOCALID")

ProcessGroup = collections.namedtuple("ProcessGroup", ["coordinator", "num_processes", "process_id", "source"])

_COORDINATOR_PATTERN = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")


def backend():
    """The Keras backend in use: "tensorflow" (the default) or "jax"."""
    return keras.backend.backend()


def configure_cpu_replicas(count):
    """Splits the CPU into `count` devices, so tests can train on 2 replicas without a GPU.

    TensorFlow: logical devices; JAX: `jax_num_cpu_devices`. Both fix their devices when they
    initialise, so this must run before any op does.
    """
    count = validation.check_positive_integer("count", count)
    if backend() == "jax":
        _configure_jax_cpu_devices(count)
        return
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


def _configure_jax_cpu_devices(count):
    import jax

    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError as error:
        already = len(jax.local_devices(backend="cpu"))
        if already != count:
            raise RuntimeError(
                f"JAX is already initialised with {already} CPU device(s); call configure_cpu_replicas "
                f"before any JAX computation. Received: count={count}"
            ) from error


_STARTED = []  # the ProcessGroup (or None for one process) that `initialize` started, once


def initialize(coordinator=None, num_processes=None, process_id=None):
    """Starts this process's part in a run on several processes; returns the `ProcessGroup`,
    or None for a run on one process.

    With no arguments the group comes from the environment (see the module docstring). Call
    it before any computation of the backend; the second call returns the first call's group,
    and refuses a different one. On the TensorFlow backend a group of more than one process is
    refused with a user error (keras-team/keras issue 20585).
    """
    group = requested_processes(coordinator, num_processes, process_id)
    if group is not None and backend() != "jax":
        raise errors.InvalidArgumentError(
            f"Training on several processes needs the JAX backend (KERAS_BACKEND=jax, pip install -e \".[jax]\"): "
            f"TensorFlow's MultiWorkerMirroredStrategy fails in the first step of Keras 3's fit ({MULTI_WORKER_ISSUE}). "
            f"Received: {_describe_group(group)} with KERAS_BACKEND={backend()}"
        )
    if _STARTED:
        if group is not None and group[:3] != (_STARTED[0] or (None, 1, 0, None))[:3]:
            raise errors.InvalidArgumentError(
                f"This process already runs as {_describe_group(_STARTED[0])}. Received: {_describe_group(group)}"
            )
        return _STARTED[0]
    if group is not None:
        _configure_cpu_from_environment()
        _start_jax_processes(group)
    _STARTED.append(group)
    return group


def requested_processes(coordinator=None, num_processes=None, process_id=None):
    """The `ProcessGroup` the flags (or, without them, the environment) ask for; None for one process.

    Checks the values: a coordinator "HOST:PORT", a process count of at least 1 and a process
    id in [0, count). A count of 1 is a run on one process.
    """
    if coordinator is None and num_processes is None and process_id is None:
        return _processes_from_environment()
    if num_processes is None or num_processes == 1:
        if num_processes is None:
            raise errors.InvalidArgumentError(
                "--coordinator and --process-id belong to a run on several processes: give --num-processes N too. "
                f"Received: --coordinator {coordinator} --process-id {process_id}"
            )
        if process_id not in (None, 0):
            validation.check_integer("--process-id", process_id, minimum=0, maximum=0)
        return None
    return _checked_group(coordinator, num_processes, process_id, "flags")


def _checked_group(coordinator, num_processes, process_id, source, coordinator_required=True):
    num_processes = validation.check_integer("--num-processes", num_processes, minimum=1)
    if process_id is None:
        raise errors.InvalidArgumentError(
            f"A run on {num_processes} processes needs --process-id I (0 to {num_processes - 1}) on each process. "
            "Received: no --process-id"
        )
    process_id = validation.check_integer("--process-id", process_id, minimum=0, maximum=num_processes - 1)
    if coordinator is None and coordinator_required:
        raise errors.InvalidArgumentError(
            f"A run on {num_processes} processes needs --coordinator HOST:PORT, the address of process 0, "
            "the same on every process. Received: no --coordinator"
        )
    if coordinator is not None:
        check_coordinator(coordinator)
    return ProcessGroup(coordinator, num_processes, process_id, source)


def check_coordinator(coordinator):
    """Returns `coordinator` if it is "HOST:PORT" with a port in 1-65535; a user error otherwise."""
    match = _COORDINATOR_PATTERN.match(str(coordinator))
    if match is None or not 1 <= int(match.group("port")) <= 65535:
        raise errors.InvalidArgumentError(
            "--coordinator must be HOST:PORT, the address of process 0 and a free port there "
            f"(e.g. 10.0.0.1:12345). Received: --coordinator {coordinator}"
        )
    return coordinator


def _processes_from_environment():
    environment = os.environ
    if KERAS_PROCESSES_VARIABLE in environment:
        count = _integer_variable(KERAS_PROCESSES_VARIABLE)
        if count == 1:
            return None
        addresses = environment.get(KERAS_ADDRESSES_VARIABLE)
        coordinator = addresses.split(",")[0] if addresses else None
        process_id = _integer_variable(KERAS_PROCESS_ID_VARIABLE) if KERAS_PROCESS_ID_VARIABLE in environment else None
        return _checked_group(coordinator, count, process_id, "KERAS_DISTRIBUTION_*")
    if all(name in environment for name in SLURM_VARIABLES) and _integer_variable("SLURM_NTASKS") > 1:
        # JAX finds the coordinator itself: the first host of the step, a port from the job id.
        return _checked_group(None, _integer_variable("SLURM_NTASKS"), _integer_variable("SLURM_PROCID"), "SLURM",
                              coordinator_required=False)
    return None


def _integer_variable(name):
    value = os.environ[name]
    if not value.strip().isdigit():
        raise errors.InvalidArgumentError(f"{name} must be a non-negative integer. Received: {value!r}")
    return int(value)


def heartbeat_timeout():
    """Seconds without a heartbeat after which a process counts as dead: PYIMAGESEARCH_HEARTBEAT_TIMEOUT or 60."""
    value = os.environ.get(HEARTBEAT_TIMEOUT_VARIABLE)
    if value is None:
        return DEFAULT_HEARTBEAT_TIMEOUT_SECONDS
    if not value.isdigit() or int(value) < 1:
        raise errors.InvalidArgumentError(
            f"{HEARTBEAT_TIMEOUT_VARIABLE} must be a positive number of seconds. Received: {value!r}"
        )
    return int(value)


def _start_jax_processes(group):
    import jax

    # Gloo carries the collectives between CPU processes (GPUs use NCCL whatever this says).
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    where = group.coordinator or "the coordinator JAX derives from SLURM"
    print(f"[INFO] process {group.process_id} of {group.num_processes} ({group.source}): connecting to {where}",
          flush=True)
    # Called here rather than through keras.distribution.initialize, which passes no timeouts.
    jax.distributed.initialize(
        coordinator_address=group.coordinator,
        num_processes=group.num_processes,
        process_id=group.process_id,
        initialization_timeout=INITIALIZATION_TIMEOUT_SECONDS,
        heartbeat_timeout_seconds=heartbeat_timeout(),
        shutdown_timeout_seconds=SHUTDOWN_TIMEOUT_SECONDS,
    )
    processes.set_processes(jax.process_index(), jax.process_count())


def _describe_group(group):
    if group is None:
        return "one process"
    return f"process {group.process_id} of {group.num_processes} (coordinator {group.coordinator}, from {group.source})"


def _configure_cpu_from_environment():
    requested = os.environ.get(CPU_REPLICAS_VARIABLE)
    if not requested:
        return
    if not requested.isdigit() or int(requested) < 1:
        raise errors.InvalidArgumentError(
            f"{CPU_REPLICAS_VARIABLE} must be a positive integer. Received: {requested!r}"
        )
    # A TensorFlow GPU machine trains on its GPUs; the split is for CPU-only tests.
    if backend() == "jax" or not tf.config.list_physical_devices("GPU"):
        configure_cpu_replicas(int(requested))


class Distribution:
    """What `get_strategy()` returns: the backend's distribution behind one interface.

    `scope()` is where models and optimizers are built (and checkpoints loaded);
    `num_replicas_in_sync` counts the devices of all processes, so the global batch is the
    per-device batch times it. `fitting_scope()` is where `fit` runs, with the datasets from
    `distribute_dataset`; `local_model` gives the trained model back for predictions on this
    process alone. On TensorFlow those three change nothing, and any other attribute is the
    MirroredStrategy's own (`tensorflow_strategy`).
    """

    def __init__(self, tensorflow_strategy=None, keras_distribution=None, devices=()):
        self.tensorflow_strategy = tensorflow_strategy
        self.keras_distribution = keras_distribution
        self.devices = list(devices)
        self.backend = "tensorflow" if tensorflow_strategy is not None else "jax"

    @property
    def num_replicas_in_sync(self):
        if self.tensorflow_strategy is not None:
            return self.tensorflow_strategy.num_replicas_in_sync
        return len(self.devices)

    @property
    def num_processes(self):
        return processes.num_processes()

    @property
    def process_id(self):
        return processes.process_id()

    @property
    def local_replicas(self):
        """The devices of this process (all of them on TensorFlow)."""
        return self.num_replicas_in_sync // processes.num_processes()

    def scope(self):
        if self.tensorflow_strategy is not None:
            return self.tensorflow_strategy.scope()
        return self.keras_distribution.scope()

    def holds(self, model):
        """Whether `model`'s variables were made in `scope()` (on JAX: they span all its devices)."""
        if self.tensorflow_strategy is not None:
            return True
        variables = [variable for variable in model.variables if hasattr(variable.value, "sharding")]
        return not variables or len(variables[0].value.sharding.device_set) == len(self.devices)

    def fitting_scope(self, model=None):
        """Where `fit` (and `evaluate`) of a distributed model run: the Keras distribution on JAX,
        unless `model` was built outside `scope()` (it then trains on one device, as built)."""
        if self.tensorflow_strategy is not None or (model is not None and not self.holds(model)):
            return contextlib.nullcontext()
        return self.keras_distribution.scope()

    def distribute_dataset(self, dataset, model=None):
        """`dataset` (global batches, the same in every process) as this process feeds it to `fit`.

        On JAX every batch keeps its largest part that splits evenly over all devices, and of
        that, this process's contiguous share; anything but a `tf.data.Dataset` is returned as
        is, and so is everything on TensorFlow or for a `model` built outside `scope()`. The
        dataset's `epoch_seeds` stays with it.
        """
        if self.tensorflow_strategy is not None or not isinstance(dataset, tf.data.Dataset):
            return dataset
        if model is not None and not self.holds(model):
            return dataset
        devices, count, index = self.num_replicas_in_sync, processes.num_processes(), processes.process_id()

        def share(*batch):
            rows = tf.shape(tf.nest.flatten(batch)[0])[0]
            per_process = rows // devices * devices // count
            part = tf.nest.map_structure(lambda tensor: tensor[index * per_process:(index + 1) * per_process], batch)
            return part if len(part) > 1 else part[0]

        distributed = dataset.map(share, num_parallel_calls=tf.data.AUTOTUNE)
        if getattr(dataset, "epoch_seeds", None) is not None:
            distributed.epoch_seeds = dataset.epoch_seeds
        return distributed

    def local_model(self, model):
        """A copy of `model` for predictions on this process alone (JAX), else `model` itself.

        On JAX a distributed model's batches must split over the devices of every process;
        the copy (saved and loaded in a temporary folder, with its compiled state) predicts
        any batch on this process. Every process must call it: the save is collective.
        """
        if self.tensorflow_strategy is not None:
            return model
        with tempfile.TemporaryDirectory(prefix="pyimagesearch-local-model-") as folder:
            path = os.path.join(folder, "model.keras")
            model.save(path)
            with undistributed():
                return keras.saving.load_model(path, safe_mode=True)

    def describe(self):
        """For config.json: the backend, the processes, and the devices of all and of this one."""
        description = {
            "backend": self.backend,
            "processes": processes.num_processes(),
            "devices": self.num_replicas_in_sync,
            "local_devices": self.local_replicas,
        }
        if self.tensorflow_strategy is None:
            import jax

            description.update(device_kind=self.devices[0].platform if self.devices else None,
                               jax=jax.__version__, heartbeat_timeout_seconds=heartbeat_timeout())
        else:
            description["device_kind"] = "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
        return description

    def __getattr__(self, name):
        # Only reached for names this class lacks: the TensorFlow strategy's own API.
        strategy = self.__dict__.get("tensorflow_strategy")
        if strategy is None or name.startswith("__"):
            raise AttributeError(f"{type(self).__name__} on the {self.__dict__.get('backend')} backend has no {name!r}")
        return getattr(strategy, name)


def weights_fingerprint(model):
    """A short sha256 of all of `model`'s weights (values, shapes and dtypes, in order): the
    processes of one run end with the same fingerprint, and so does the model they saved."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        weight = np.ascontiguousarray(weight)
        digest.update(f"{weight.dtype}{weight.shape}".encode())
        digest.update(weight.tobytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def undistributed():
    """No Keras distribution inside the block (JAX): computations run on this process alone."""
    previous = keras.distribution.distribution()
    keras.distribution.set_distribution(None)
    try:
        yield
    finally:
        keras.distribution.set_distribution(previous)


_STRATEGY = None


def get_strategy():
    """Returns the run's `Distribution`, made once per process and returned again on later calls.

    TensorFlow: MirroredStrategy over all local GPUs, or over the CPU when there is none. A
    second MirroredStrategy in the same process starts its collective-op keys afresh, and a
    collective left over from the first one's last step then collides with the second one's
    ("Shape mismatch in the collective instance 100"), hence one per process. JAX:
    `keras.distribution.DataParallel` over every device of every process (`initialize`).

    Without a GPU this is one CPU replica, unless the CPU was split (see
    `configure_cpu_replicas`, or the PYIMAGESEARCH_CPU_REPLICAS environment variable), in
    which case every CPU device is a replica. Build the model and the optimizer inside
    `scope()`, and use a global batch size of per-replica size times `num_replicas_in_sync`.
    """
    _configure_cpu_from_environment()
    initialize()
    global _STRATEGY
    if _STRATEGY is None:
        _STRATEGY = _make_distribution()
    processes.record_distribution(_STRATEGY.describe())
    return _STRATEGY


def _make_distribution():
    if backend() != "jax":
        devices = _replica_devices()
        return Distribution(tensorflow_strategy=tf.distribute.MirroredStrategy([device.name for device in devices]))
    import jax

    distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices(), auto_shard_dataset=False)
    return Distribution(keras_distribution=distribution, devices=jax.devices())


def replica_count():
    """How many replicas `get_strategy()` trains on: the local GPUs or logical CPUs (TensorFlow),
    or the devices of all processes (JAX)."""
    if backend() == "jax":
        if _STRATEGY is not None:
            return _STRATEGY.num_replicas_in_sync
        import jax

        return len(jax.devices())
    return len(_replica_devices())


def _replica_devices():
    return tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
