"""Utilities: distribution strategy, seeding, atomic writes, run folders, reports and plots.

    from pyimagesearch.utils import get_strategy, set_seed, rank5_accuracy

Names are imported on first use, so `pyimagesearch.utils.atomic` loads without TensorFlow.
"""

from pyimagesearch import lazyexports

_EXPORTS = {
    "get_strategy": "pyimagesearch.utils.strategy",
    "set_seed": "pyimagesearch.utils.seeding",
    "rank5_accuracy": "pyimagesearch.utils.ranked",
    "write_classification_report": "pyimagesearch.utils.reports",
    "create_run_folder": "pyimagesearch.utils.runs",
    "write_run_config": "pyimagesearch.utils.runs",
    "latest_run": "pyimagesearch.utils.runs",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazyexports.lazy_exports(__name__, _EXPORTS)
