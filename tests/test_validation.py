import math
import subprocess
import sys

import numpy as np
import pytest

from pyimagesearch.utils import validation


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(255)])
def test_positive_integer_is_returned_as_int(value):
    result = validation.check_positive_integer("width", value)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize(
    "value, received",
    [
        (0, "width=0"),
        (-3, "width=-3"),
        (2.0, "width=2.0"),
        ("2", "width='2'"),
        (True, "width=True"),
        (None, "width=None"),
    ],
)
def test_non_positive_integer_is_refused(value, received):
    message = rf"^`width` must be a positive integer\. Received: {received}$"
    with pytest.raises(ValueError, match=message):
        validation.check_positive_integer("width", value)


def test_positive_integers_names_the_first_bad_argument():
    validation.check_positive_integers(width=32, height=32, depth=3)
    with pytest.raises(ValueError, match=r"Received: depth=0$"):
        validation.check_positive_integers(width=32, depth=0, classes=-1)


@pytest.mark.parametrize("value", [0, 0.0, 0.0005, 3, np.float32(0.1)])
def test_non_negative_numbers_accept_finite_values(value):
    validation.check_non_negative_numbers(reg=value)


@pytest.mark.parametrize(
    "value, received",
    [
        (-0.1, "reg=-0.1"),
        (math.nan, "reg=nan"),
        (math.inf, "reg=inf"),
        ("0.1", "reg='0.1'"),
        (False, "reg=False"),
    ],
)
def test_non_negative_numbers_refuse_bad_values(value, received):
    message = rf"^`reg` must be a finite non-negative number\. Received: {received}$"
    with pytest.raises(ValueError, match=message):
        validation.check_non_negative_numbers(reg=value)


def test_booleans_refuse_truthy_stand_ins():
    validation.check_booleans(horizontal_flip=True, batch_norm=False)
    with pytest.raises(ValueError, match=r"^`batch_norm` must be True or False\. Received: batch_norm=1$"):
        validation.check_booleans(batch_norm=1)
    with pytest.raises(ValueError, match=r"Received: horizontal_flip='no'$"):
        validation.check_booleans(horizontal_flip="no")


@pytest.mark.parametrize("seed, expected", [(None, None), (0, 0), (42, 42), (np.int32(5), 5)])
def test_seed_is_returned_as_int_or_none(seed, expected):
    result = validation.check_seed(seed)
    assert result == expected
    assert result is None or type(result) is int


@pytest.mark.parametrize(
    "seed, received", [(-1, "seed=-1"), (1.5, "seed=1.5"), ("1", "seed='1'"), (True, "seed=True")]
)
def test_bad_seed_is_refused(seed, received):
    message = rf"^`seed` must be None or a non-negative integer\. Received: {received}$"
    with pytest.raises(ValueError, match=message):
        validation.check_seed(seed)


def test_predicates_refuse_booleans():
    assert all(map(validation.is_number, [0.5, 3, np.float64(2), math.nan, math.inf]))
    assert not validation.is_number(True) and not validation.is_number("1")
    assert validation.is_positive_integer(1) and validation.is_positive_integer(np.int64(4))
    assert not validation.is_positive_integer(True) and not validation.is_positive_integer(0)
    assert not validation.is_positive_integer(1.0)


def test_validation_and_per_image_preprocessors_load_without_tensorflow():
    # The HDF5 builder's worker processes import these; TensorFlow would cost them seconds and
    # hundreds of MB. A fresh interpreter, because the test session has loaded TensorFlow.
    code = (
        "import sys\n"
        "import pyimagesearch.utils.validation\n"
        "import pyimagesearch.preprocessing.simplepreprocessor\n"
        "import pyimagesearch.preprocessing.aspectawarepreprocessor\n"
        "loaded = sorted(name for name in ('tensorflow', 'keras') if name in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
