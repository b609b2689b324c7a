"""Imports only go down the layers, so a package never depends on one above it.

Bottom to top: utils; preprocessing, nn, callbacks; datasets; io; training; transfer; cli;
experiments. A module may import its own package and any package on a lower layer; packages
that share a layer (preprocessing, nn, callbacks) don't import each other. Every import is
checked, including those inside functions.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pyimagesearch"
LAYERS = {
    "utils": 0,
    "preprocessing": 1,
    "nn": 1,
    "callbacks": 1,
    "datasets": 2,
    "io": 3,
    "training": 4,
    "transfer": 5,
    "cli": 6,
}
EXPERIMENTS_LAYER = 7


def _imported_modules(path):
    """Every absolute module name that `path` imports, with its line number."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; spell out the package")
            for alias in node.names:
                # `from pyimagesearch import training` imports the package pyimagesearch.training.
                yield (f"{node.module}.{alias.name}" if node.module == "pyimagesearch" else node.module), node.lineno


def _package_of(module_name):
    """The top-level package of a pyimagesearch module name, or None for other libraries."""
    parts = module_name.split(".")
    if parts[0] != "pyimagesearch":
        return None
    return parts[1] if len(parts) > 1 else ""


def _shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _upward_imports(path, own_package, own_layer):
    problems = []
    for module_name, line in _imported_modules(path):
        package = _package_of(module_name)
        if package is None or package == own_package or package == "":
            continue
        if package not in LAYERS:
            problems.append(f"{_shown(path)}:{line}: {module_name} is in no layer")
        elif LAYERS[package] >= own_layer:
            problems.append(
                f"{_shown(path)}:{line}: {own_package or 'experiments'} (layer {own_layer}) imports "
                f"{module_name} (layer {LAYERS[package]})"
            )
    return problems


def test_every_package_is_in_a_layer():
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert packages == set(LAYERS)
    # Modules directly in pyimagesearch/ would sit outside every layer.
    assert sorted(path.name for path in PACKAGE.glob("*.py")) == ["__init__.py"]


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_a_package_imports_only_lower_layers(package):
    problems = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        problems += _upward_imports(path, package, LAYERS[package])
    assert not problems, "\n".join(problems)


def test_experiments_import_the_package_and_their_config_only():
    problems = []
    for path in sorted((ROOT / "experiments").rglob("*.py")):
        problems += _upward_imports(path, None, EXPERIMENTS_LAYER)
        siblings = {sibling.stem for sibling in path.parent.glob("*.py")} - {"config", path.stem}
        for module_name, line in _imported_modules(path):
            if module_name.split(".")[0] in siblings:
                problems.append(f"{_shown(path)}:{line}: imports its sibling script {module_name}")
    assert not problems, "\n".join(problems)


def test_the_check_finds_an_upward_import_inside_a_function(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text(
        "from pyimagesearch.utils import atomic\n"
        "def f():\n    from pyimagesearch.training import runs\n    import pyimagesearch.io.pipeline, pyimagesearch.cli.build_hdf5\n",
        encoding="utf-8",
    )
    problems = _upward_imports(module, "io", LAYERS["io"])
    assert len(problems) == 2
    assert "io (layer 3) imports pyimagesearch.training (layer 4)" in problems[0]
    assert problems[0].startswith(f"{module}:3:")
    assert "imports pyimagesearch.cli.build_hdf5 (layer 6)" in problems[1]  # its own io import is fine
