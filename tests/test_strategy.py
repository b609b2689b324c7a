"""The distribution helper (pyimagesearch/utils/strategy.py): one entry point on either backend,
the process flags and environment it reads, and how it shares datasets between processes."""

import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.utils import errors, processes, strategy
from tests.conftest import TEST_CPU_REPLICAS

tensorflow_only = pytest.mark.skipif(strategy.backend() != "tensorflow", reason="TensorFlow backend behaviour")


@pytest.fixture
def clean_environment(monkeypatch):
    for name in (strategy.KERAS_ADDRESSES_VARIABLE, strategy.KERAS_PROCESSES_VARIABLE,
                 strategy.KERAS_PROCESS_ID_VARIABLE, strategy.HEARTBEAT_TIMEOUT_VARIABLE, *strategy.SLURM_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def second_of_two_processes(monkeypatch):
    monkeypatch.setattr(processes, "_STATE", dict(processes._STATE))
    processes.set_processes(1, 2)


def test_get_strategy_trains_on_every_split_cpu_device():
    distribution = strategy.get_strategy()
    assert distribution.num_replicas_in_sync == TEST_CPU_REPLICAS
    assert distribution.num_processes == 1 and distribution.process_id == 0
    with distribution.scope():
        pass
    assert distribution.describe()["devices"] == TEST_CPU_REPLICAS
    assert distribution.describe()["backend"] == strategy.backend()


@tensorflow_only
def test_on_tensorflow_it_is_mirrored_strategy_behind_the_same_interface():
    distribution = strategy.get_strategy()
    assert isinstance(distribution.tensorflow_strategy, tf.distribute.MirroredStrategy)
    # Anything else is the MirroredStrategy's own API.
    assert distribution.extended is distribution.tensorflow_strategy.extended
    dataset = tf.data.Dataset.range(6).batch(4)
    assert distribution.distribute_dataset(dataset) is dataset
    marker = object()
    assert distribution.local_model(marker) is marker
    assert distribution.describe() == {"backend": "tensorflow", "processes": 1, "devices": TEST_CPU_REPLICAS,
                                       "local_devices": TEST_CPU_REPLICAS, "device_kind": "CPU"}


def test_configure_cpu_replicas_rejects_a_different_count_after_initialisation():
    strategy.get_strategy()  # make sure the backend is initialised
    tf.constant(1.0)
    with pytest.raises(RuntimeError, match="already initialised"):
        strategy.configure_cpu_replicas(TEST_CPU_REPLICAS + 1)


@pytest.mark.parametrize("count", [0, -1, 1.5, "2"])
def test_configure_cpu_replicas_validates_count(count):
    with pytest.raises(ValueError, match="Received"):
        strategy.configure_cpu_replicas(count)


def test_environment_variable_is_validated(monkeypatch):
    monkeypatch.setenv(strategy.CPU_REPLICAS_VARIABLE, "two")
    with pytest.raises(ValueError, match="Received"):
        strategy.get_strategy()


def test_get_strategy_returns_one_strategy_per_process():
    assert strategy.get_strategy() is strategy.get_strategy()


def test_configure_cpu_replicas_refuses_a_boolean_count():
    # `isinstance(True, int)` once let count=True through as one device.
    with pytest.raises(ValueError, match=r"Received: count=True$"):
        strategy.configure_cpu_replicas(True)


def test_no_flags_and_no_scheduler_is_one_process(clean_environment):
    assert strategy.requested_processes() is None
    assert strategy.requested_processes(None, 1, 0) is None


def test_the_flags_make_a_process_group(clean_environment):
    group = strategy.requested_processes("10.0.0.1:12345", 4, 3)
    assert group == strategy.ProcessGroup("10.0.0.1:12345", 4, 3, "flags")


@pytest.mark.parametrize(
    ("coordinator", "count", "process_id", "message"),
    [
        (None, 2, 0, "needs --coordinator HOST:PORT"),
        ("10.0.0.1:12345", 2, None, "needs --process-id I"),
        ("10.0.0.1:12345", 2, 2, "--process-id"),
        ("10.0.0.1:12345", 0, 0, "--num-processes"),
        ("10.0.0.1", 2, 0, "HOST:PORT"),
        ("10.0.0.1:70000", 2, 0, "HOST:PORT"),
        ("10.0.0.1:12345", None, 1, "give --num-processes N too"),
    ],
)
def test_bad_process_flags_are_refused_naming_the_flag(clean_environment, coordinator, count, process_id, message):
    with pytest.raises(errors.InvalidArgumentError, match="Received") as raised:
        strategy.requested_processes(coordinator, count, process_id)
    assert message in str(raised.value)


def test_keras_distribution_variables_make_a_process_group(clean_environment):
    clean_environment.setenv(strategy.KERAS_ADDRESSES_VARIABLE, "host-a:1234,host-b:1234")
    clean_environment.setenv(strategy.KERAS_PROCESSES_VARIABLE, "2")
    clean_environment.setenv(strategy.KERAS_PROCESS_ID_VARIABLE, "1")
    assert strategy.requested_processes() == strategy.ProcessGroup("host-a:1234", 2, 1, "KERAS_DISTRIBUTION_*")


def test_a_slurm_step_of_several_tasks_is_a_process_group_whose_coordinator_jax_finds(clean_environment):
    values = {"SLURM_JOB_ID": "77", "SLURM_STEP_NODELIST": "node[01-04]", "SLURM_NTASKS": "4",
              "SLURM_PROCID": "2", "SLURM_LOCALID": "0"}
    for name, value in values.items():
        clean_environment.setenv(name, value)
    assert strategy.requested_processes() == strategy.ProcessGroup(None, 4, 2, "SLURM")
    clean_environment.setenv("SLURM_NTASKS", "1")
    assert strategy.requested_processes() is None
    clean_environment.setenv("SLURM_NTASKS", "four")
    with pytest.raises(errors.InvalidArgumentError, match="SLURM_NTASKS"):
        strategy.requested_processes()


@tensorflow_only
def test_several_processes_are_refused_on_tensorflow_naming_the_keras_issue(clean_environment):
    with pytest.raises(errors.InvalidArgumentError) as raised:
        strategy.initialize("127.0.0.1:12345", 2, 0)
    message = str(raised.value)
    assert "JAX backend" in message and "keras-team/keras issue 20585" in message
    assert "Received: process 0 of 2" in message
    assert processes.num_processes() == 1


def test_heartbeat_timeout_comes_from_the_environment(clean_environment):
    assert strategy.heartbeat_timeout() == strategy.DEFAULT_HEARTBEAT_TIMEOUT_SECONDS
    clean_environment.setenv(strategy.HEARTBEAT_TIMEOUT_VARIABLE, "10")
    assert strategy.heartbeat_timeout() == 10
    clean_environment.setenv(strategy.HEARTBEAT_TIMEOUT_VARIABLE, "0")
    with pytest.raises(errors.InvalidArgumentError, match="Received: '0'"):
        strategy.heartbeat_timeout()


def test_each_process_feeds_its_share_of_every_batch_that_splits_over_the_devices(second_of_two_processes):
    # A JAX distribution over 4 devices of 2 processes, seen from process 1 (only tf.data runs).
    distribution = strategy.Distribution(keras_distribution=object(), devices=range(4))
    rows = np.arange(23)
    dataset = tf.data.Dataset.from_tensor_slices((rows, rows * 10)).batch(10)
    dataset.epoch_seeds = "kept"
    shared = distribution.distribute_dataset(dataset)
    batches = [(images.tolist(), labels.tolist()) for images, labels in shared.as_numpy_iterator()]
    # 10 rows: 8 split over 4 devices, 4 a process, process 1 takes rows 4-7; 3 rows: none split.
    assert [images for images, _ in batches] == [[4, 5, 6, 7], [14, 15, 16, 17], []]
    assert [labels for _, labels in batches][0] == [40, 50, 60, 70]
    assert shared.epoch_seeds == "kept"
    assert distribution.local_replicas == 2 and distribution.num_processes == 2
