"""Install with `pip install -e ".[test]"`."""

import pathlib

import setuptools

HERE = pathlib.Path(__file__).parent

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
        "test": ["pytest>=8", "pytest-timeout>=2.3", "pytest-xdist>=3.5"],
        "viz": ["pydot>=2"],
    },
)
