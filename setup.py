"""Install with `pip install -e ".[test]"`."""

import pathlib

import setuptools

HERE = pathlib.Path(__file__).parent
JAX = "jax[cpu]>=0.10.2,<0.11"

setuptools.setup(
    name="pyimagesearch",
    version="0.1.0",
    description=(
        "Deep learning for computer vision with Keras 3 and TensorFlow: "
        "CNNs, HDF5 datasets and transfer learning on your own image folders."
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["pyimagesearch", "pyimagesearch.*"]),
    install_requires=[
        "tensorflow>=2.21,<2.22",
        "keras>=3.13,<4",
        # TensorFlow 2.21 is built against h5py < 3.15.
        "h5py>=3.11,<3.15",
        "numpy>=1.26",
        "scikit-learn>=1.4",
        # The headless build: the full opencv-python needs libGL, which servers often lack.
        "opencv-python-headless>=4.9",
        "imutils>=0.5.4",
        "matplotlib>=3.8",
        "progressbar2>=4.2",
        "skops>=0.10",
    ],
    entry_points={
        "console_scripts": [
            "pyimagesearch-build-hdf5 = pyimagesearch.cli.build_hdf5:main",
            "pyimagesearch-extract-features = pyimagesearch.cli.extract_features:main",
        ],
    },
    extras_require={
        # KERAS_BACKEND=jax: Keras' distribution API, the route to training on several machines
        # (pyimagesearch/utils/strategy.py). Tested with jax 0.10.2 and Keras 3.15.1.
        "jax": [JAX],
        # The test extra pulls in JAX so that CI runs the training tests on both backends.
        # pytest < 9.2: pytest-xdist 3.8's `--dist loadgroup` (pytest.ini) marks a group by
        # rewriting `item._nodeid`, which pytest 9.2 no longer reads, so the tests sharing one
        # module fixture would build it in each worker (pytest-dev/pytest-xdist#1386, open).
        # tests/test_xdist_grouping.py fails when that happens.
        "test": ["pytest>=8,<9.2", "pytest-timeout>=2.3", "pytest-xdist>=3.5", JAX],
        "viz": ["pydot>=2"],
    },
)
