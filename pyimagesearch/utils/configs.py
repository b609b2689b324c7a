"""Keyword arguments read from an experiment's config module, so its scripts don't list them.

    CONSTANTS = {"features": "FEATURES_PATH", "seed": "SEED"}  # keyword -> config constant
    defaults = configs.read_constants(config, CONSTANTS, optional=("pooling",), seed=0)

An experiment keeps its settings as constants in config.py; a package function that takes them
as keywords names, once, which constant each keyword is read from. A constant the experiment's
code forgot is its own bug, not the user's, so it raises a plain ValueError.
"""


def read_constants(config, constants, *, optional=(), caller="read_constants", **overrides):
    """{keyword: value} for every keyword of `constants` ({keyword: constant name}).

    `config` is a module or any object with the constants as attributes. A keyword in
    `overrides` replaces the constant (which then need not exist); a keyword in `optional` is
    left out when `config` lacks its constant, so the function's own default applies. `caller`
    names the package function in the messages.
    """
    unknown = sorted(set(overrides) - set(constants))
    if unknown:
        raise ValueError(f"`{caller}` replaces only {', '.join(constants)}. Received: {', '.join(unknown)}")
    missing = [constant for name, constant in constants.items()
               if name not in overrides and name not in optional and not hasattr(config, constant)]
    if missing:
        raise ValueError(
            f"{getattr(config, '__name__', 'config')} needs {', '.join(missing)} (or a keyword in its place). "
            f"Received: a config without {', '.join(missing)}"
        )
    values = {}
    for name, constant in constants.items():
        if name in overrides:
            values[name] = overrides[name]
        elif hasattr(config, constant):
            values[name] = getattr(config, constant)
    return values
