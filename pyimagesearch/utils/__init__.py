"""Foundations that every other package builds on; this package imports none of them.

    from pyimagesearch.utils import get_strategy, rank5_accuracy, set_seed

Modules: `atomic` (files and models written under a temporary name, then moved into place),
`validation` (argument checks), `errors` and `cli` (user errors and how scripts report them),
`strategy` (the distribution helper: MirroredStrategy on TensorFlow, Keras' DataParallel on JAX,
across processes too), `processes` (which process of a run this is; only process 0 writes), `precision` (--precision: mixed precision policies),
`sessions` (freeing models between the runs of a loop), `seeding`, `plots`, `ranked`
(rank-1/rank-5) and `lazyexports`. Names are imported on first use, so `pyimagesearch.utils.atomic` loads without
TensorFlow.
"""

from pyimagesearch.utils import lazyexports

_EXPORTS = {
    "get_strategy": "pyimagesearch.utils.strategy",
    "set_seed": "pyimagesearch.utils.seeding",
    "rank5_accuracy": "pyimagesearch.utils.ranked",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazyexports.lazy_exports(__name__, _EXPORTS)
