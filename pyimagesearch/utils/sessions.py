"""Freeing what one model held before the next is built, for loops that train many.

    for seed in seeds:
        model = build_and_train(seed)
        accuracies.append(evaluate(model))
        del model
        sessions.release_models()

Keras keeps every layer it has built in a global graph/name registry (and, on TensorFlow, the
traced functions of each `fit`); Python frees a model only once nothing refers to it and the
garbage collector has broken its reference cycles. A k-fold loop, an ensemble or a study that
builds model after model without both grows in memory with every model until the process is
killed. `release_models` does both; `peak_memory_bytes` is what tests and READMEs measure it by.

What it can't free: with TensorFlow 2.21, each graph-mode `fit` keeps about the size of its model's
weights and optimizer slots after the model is gone (measured: a 4.2M-parameter Dense model with
Adam, +50 MiB per model; an eager `fit` keeps nothing; keras-team/keras issue 21090). For
MiniVGGNet-sized models that is a few percent of the process per model (tests/test_sessions.py).
Where the peak must not grow at all, train each model in its own process:

    for seed in seeds:
        outcome = sessions.run_in_own_process(train_one, seed)   # a module-level function
        accuracies.append(outcome.value)                         # its return value
        print(outcome.peak_memory_bytes)                         # the child's own peak

The child is started with multiprocessing's "spawn" (a fresh interpreter: nothing of the
parent's TensorFlow state, and no fork of a multi-threaded process), so everything it built
is returned to the operating system when it exits.
"""

import collections
import gc
import multiprocessing
import pickle
import resource
import sys
import traceback

from pyimagesearch.utils import errors

PROCESS_STATUS = "/proc/self/status"
# What run_in_own_process returns: the function's return value and the child's peak resident memory.
OwnProcessOutcome = collections.namedtuple("OwnProcessOutcome", ["value", "peak_memory_bytes"])


def release_models():
    """Clears the Keras session and collects garbage; call it after dropping the last model."""
    import keras

    keras.utils.clear_session(free_memory=True)
    gc.collect()


def peak_memory_bytes():
    """The process's peak resident memory so far, in bytes.

    On Linux this is VmHWM from /proc/self/status: the peak of this process's own memory.
    `getrusage`'s ru_maxrss is not, there: a process started by fork and exec inherits the
    peak of the process that started it (the kernel carries it across exec), so a script
    launched from a 800 MiB test run reports at least 800 MiB from its first line. Without
    /proc it falls back to ru_maxrss (bytes on macOS). The value only grows, so comparing it
    after model 2 and after model 5 of a loop shows whether later models need more memory.
    """
    try:
        with open(PROCESS_STATUS, encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # "VmHWM:   123456 kB"
    except OSError:
        pass  # no /proc (macOS, or a sandbox without it)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024

class ChildTraceback(Exception):
    """The child process's traceback, chained as the cause of the error re-raised in the parent."""


def run_in_own_process(function, *arguments, **keyword_arguments):
    """Calls `function(*arguments, **keyword_arguments)` in a new process; returns an `OwnProcessOutcome`.

    `function` and its arguments travel by pickle, so `function` must be defined at the top
    level of a module (a script's own functions qualify: the child imports the script as
    multiprocessing's `__mp_main__`). The child shares stdout and stderr with the parent, and
    the parent waits for it. Whatever the child raises is raised again in the parent with the
    child's traceback as its cause, so a user error still ends in one clear line and a bug
    still shows where it happened; SystemExit keeps its code. A child that dies without
    answering (killed, out of memory) raises ChildProcessError with its exit code.
    """
    if not callable(function):
        raise errors.InvalidArgumentError(f"`function` must be callable. Received: function={function!r}")
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, function, arguments, keyword_arguments))
    # Flushed first, or the parent's buffered lines would appear after the child's.
    sys.stdout.flush()
    sys.stderr.flush()
    child.start()
    sender.close()  # the parent keeps only the reading end, so a dead child reads as end of file
    try:
        answer = receiver.recv()
    except EOFError:
        answer = None
    finally:
        receiver.close()
        child.join()
    if answer is None:
        raise ChildProcessError(
            f"The child process running {_name_of(function)} ended with exit code {child.exitcode} "
            "without returning (a negative code is the signal that killed it, e.g. -9 when out of memory)."
        )
    status, payload, text, peak = answer
    if status == "error":
        raise payload from ChildTraceback(text)
    return OwnProcessOutcome(payload, peak)


def _child_main(sender, function, arguments, keyword_arguments):
    """In the child: calls `function`, sends (status, value or error, traceback text, peak)."""
    try:
        status, payload, text = "value", function(*arguments, **keyword_arguments), ""
    except BaseException as error:  # noqa: BLE001 - every ending, SystemExit included, goes to the parent
        status, payload, text = "error", _picklable(error), traceback.format_exc()
    peak = peak_memory_bytes()
    try:
        sender.send((status, payload, text, peak))
    except Exception as error:  # noqa: BLE001 - a value that can't be pickled is a bug in the caller
        message = f"{_name_of(function)} returned a value that can't be pickled: {error}"
        sender.send(("error", TypeError(message), traceback.format_exc(), peak))
    sender.close()


def _picklable(error):
    """`error` itself when it survives a pickle round trip, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any failure to pickle or rebuild means "send a stand-in"
        return RuntimeError(f"{type(error).__name__}: {error}")


def _name_of(function):
    return getattr(function, "__qualname__", repr(function))
