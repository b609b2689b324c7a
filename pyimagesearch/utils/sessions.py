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
MiniVGGNet-sized models that is a few percent of the process per model (tests/test_sessions.py);
a loop over many large models is safest as one process per model.
"""

import gc
import resource
import sys


def release_models():
    """Clears the Keras session and collects garbage; call it after dropping the last model."""
    import keras

    keras.utils.clear_session(free_memory=True)
    gc.collect()


def peak_memory_bytes():
    """The process's peak resident memory so far, in bytes (`getrusage`'s ru_maxrss).

    Linux reports ru_maxrss in KiB and macOS in bytes. The value only grows, so comparing
    it after model 2 and after model 5 of a loop shows whether later models need more memory.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
