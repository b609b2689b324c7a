"""Which process of a training run this is, and the rule that only process 0 writes.

A run on several processes (the JAX backend across machines, see `strategy`) runs the same
program in every process: the training steps, and also every model save, are collective
operations that each process must take part in (a `model.save` on process 0 alone waits
for the others forever). So every process executes every write, but only process 0 (the
writer) puts files in place: on the other processes, `atomic.atomic_output_path` hands out a
path in a private temporary folder that is deleted afterwards, and the few writes that
don't go through it (making the run folder, deleting old checkpoints, setting aside what a
restart replaces) ask `is_writer()` first. Every process reads the same run folder, so a
multi-process run needs a file system shared by all of its machines.

One process (every TensorFlow run, and a JAX run without --num-processes) is process 0 of 1,
and writes as before. This module imports nothing heavy: `atomic` uses it.
"""

import tempfile

from pyimagesearch.utils import validation

_STATE = {"process_id": 0, "num_processes": 1, "description": None}


def set_processes(process_id, num_processes):
    """Records this process's place in the run: `process_id` in [0, `num_processes`)."""
    num_processes = validation.check_integer("num_processes", num_processes, minimum=1)
    process_id = validation.check_integer("process_id", process_id, minimum=0, maximum=num_processes - 1)
    _STATE.update(process_id=process_id, num_processes=num_processes)


def process_id():
    """This process's index in the run, 0 for a single-process run."""
    return _STATE["process_id"]


def num_processes():
    """How many processes train this run together, 1 unless several were started."""
    return _STATE["num_processes"]


def is_writer():
    """True on process 0, the only one that writes the run folder, checkpoints and reports."""
    return _STATE["process_id"] == 0


def record_distribution(description):
    """Keeps what `strategy.get_strategy()` trains on (a dict: backend, processes, devices, ...)
    for config.json (`runs.write_run_config`)."""
    _STATE["description"] = dict(description)


def distribution_description():
    """The dict `record_distribution` kept, or None before `strategy.get_strategy()` ran."""
    return None if _STATE["description"] is None else dict(_STATE["description"])


def discarded_output_folder():
    """A temporary folder (a `tempfile.TemporaryDirectory`) for the writes of a process that is
    not the writer: they happen, so that collective saves stay in step, and are then deleted."""
    return tempfile.TemporaryDirectory(prefix=f"pyimagesearch-process-{process_id()}-")
