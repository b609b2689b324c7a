"""Package exports that are imported on first use (PEP 562).

`from pyimagesearch.io import HDF5DatasetWriter` then loads only the writer's module, so the
HDF5 builder and its worker processes don't pay seconds and hundreds of MB for TensorFlow.
"""

import importlib


def lazy_exports(package_name, exports):
    """Returns the `__getattr__` and `__dir__` of a package whose names live in submodules.

    `exports` maps each public name to the module that defines it.
    """

    def __getattr__(name):
        if name not in exports:
            raise AttributeError(f"module {package_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        setattr(importlib.import_module(package_name), name, value)
        return value

    def __dir__():
        return sorted(set(vars(importlib.import_module(package_name))) | set(exports))

    return __getattr__, __dir__
