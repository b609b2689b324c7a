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


def test_positive_number_predicate_refuses_booleans_zero_nan_and_infinity():
    assert all(map(validation.is_positive_number, [0.5, 3, np.float32(0.1), np.int64(2)]))
    for value in (True, False, 0, -1.0, math.nan, math.inf, "1", None):
        assert not validation.is_positive_number(value), value


def test_integer_is_returned_as_int():
    for value in (0, -5, 7, np.int64(3), np.uint8(255)):
        result = validation.check_integer("offset", value)
        assert (result, type(result)) == (value, int)


@pytest.mark.parametrize(
    "value, received",
    [(True, "offset=True"), (False, "offset=False"), (2.0, "offset=2.0"), ("2", "offset='2'"), (None, "offset=None")],
)
def test_integer_refuses_booleans_floats_and_strings(value, received):
    with pytest.raises(ValueError, match=rf"^`offset` must be an integer\. Received: {received}$"):
        validation.check_integer("offset", value)


def test_integer_bounds_are_inclusive_and_named_in_the_message():
    assert validation.check_integer("folds", 2, minimum=2) == 2
    assert validation.check_integer("layer", 19, minimum=0, maximum=19) == 19
    assert validation.check_integer("top", -3, maximum=5) == -3
    with pytest.raises(ValueError, match=r"^`folds` must be an integer >= 2\. Received: folds=1$"):
        validation.check_integer("folds", 1, minimum=2)
    with pytest.raises(ValueError, match=r"^`layer` must be an integer from 0 to 19\. Received: layer=20$"):
        validation.check_integer("layer", 20, minimum=0, maximum=19)
    with pytest.raises(ValueError, match=r"^`layer` must be an integer from 0 to 19\. Received: layer=-1$"):
        validation.check_integer("layer", -1, minimum=0, maximum=19)
    with pytest.raises(ValueError, match=r"^`top` must be an integer <= 5\. Received: top=6$"):
        validation.check_integer("top", 6, maximum=5)
    # A boolean is refused even where its value (1) would be within the bounds.
    with pytest.raises(ValueError, match=r"Received: every=True$"):
        validation.check_integer("every", True, minimum=1)


@pytest.mark.parametrize("value", [0, 0.25, -3, np.float32(0.5), np.int64(4)])
def test_number_is_returned_as_float(value):
    result = validation.check_number("momentum", value)
    assert result == pytest.approx(float(value))
    assert type(result) is float


@pytest.mark.parametrize(
    "value, received",
    [
        (True, "rate=True"),
        (False, "rate=False"),
        (math.nan, "rate=nan"),
        (math.inf, "rate=inf"),
        (-math.inf, "rate=-inf"),
        ("0.1", "rate='0.1'"),
        (None, "rate=None"),
    ],
)
def test_number_refuses_booleans_nan_infinity_and_strings(value, received):
    with pytest.raises(ValueError, match=rf"^`rate` must be a finite number\. Received: {received}$"):
        validation.check_number("rate", value)


def test_number_bounds_can_be_inclusive_or_exclusive():
    assert validation.check_number("momentum", 0, minimum=0, maximum=1, include_maximum=False) == 0.0
    assert validation.check_number("zoom", 1, minimum=0, maximum=1) == 1.0
    with pytest.raises(ValueError, match=r"^`momentum` must be a finite number >= 0 and < 1\. Received: momentum=1\.0$"):
        validation.check_number("momentum", 1.0, minimum=0, maximum=1, include_maximum=False)
    with pytest.raises(ValueError, match=r"^`learning_rate` must be a finite number > 0\. Received: learning_rate=0$"):
        validation.check_number("learning_rate", 0, minimum=0, include_minimum=False)
    with pytest.raises(ValueError, match=r"^`shift` must be a finite number >= 0 and <= 1\. Received: shift=-0\.1$"):
        validation.check_number("shift", -0.1, minimum=0, maximum=1)
    with pytest.raises(ValueError, match=r"^`decay` must be a finite number <= 1\. Received: decay=1\.5$"):
        validation.check_number("decay", 1.5, maximum=1)
    # NaN is refused even with bounds, which it would slip past as a failed comparison.
    with pytest.raises(ValueError, match=r"Received: rotation=nan$"):
        validation.check_number("rotation", math.nan, minimum=0, maximum=180)
    with pytest.raises(ValueError, match=r"Received: rotation=True$"):
        validation.check_number("rotation", True, minimum=0, maximum=180)


def test_choice_returns_the_value_and_lists_the_choices():
    assert validation.check_choice("resize", "aspect", ("aspect", "stretch")) == "aspect"
    assert validation.check_choice("interpolation", 3, (1, 3)) == 3
    message = r"^`resize` must be one of 'aspect', 'stretch'\. Received: resize='crop'$"
    with pytest.raises(ValueError, match=message):
        validation.check_choice("resize", "crop", ("aspect", "stretch"))
    with pytest.raises(ValueError, match=r"Received: layout=None$"):
        validation.check_choice("layout", None, ("auto", "flat"))
    # Unhashable values are reported, not a TypeError.
    with pytest.raises(ValueError, match=r"Received: layout=\['auto'\]$"):
        validation.check_choice("layout", ["auto"], ("auto", "flat"))


def test_choice_compares_exactly_so_booleans_never_stand_in_for_numbers():
    with pytest.raises(ValueError, match=r"^`mode` must be one of 0, 1\. Received: mode=True$"):
        validation.check_choice("mode", True, (0, 1))
    with pytest.raises(ValueError, match=r"Received: mode=1\.0$"):
        validation.check_choice("mode", 1.0, (0, 1))
    with pytest.raises(ValueError, match=r"Received: flag=1$"):
        validation.check_choice("flag", 1, (True, False))


def test_flag_accepts_only_true_and_false():
    assert validation.check_flag("shuffle", True) is True
    assert validation.check_flag("shuffle", False) is False
    for value, received in ((1, "1"), (0, "0"), ("yes", "'yes'"), (None, "None"), (np.bool_(True), "np.True_|True")):
        with pytest.raises(ValueError, match=rf"^`shuffle` must be True or False\. Received: shuffle=({received})$"):
            validation.check_flag("shuffle", value)


def test_image_size_is_bounded_by_the_maximum_side():
    assert validation.check_image_size("width", 1) == 1
    assert validation.check_image_size("width", np.int32(256)) == 256
    assert validation.check_image_size("width", validation.MAXIMUM_IMAGE_SIZE) == validation.MAXIMUM_IMAGE_SIZE
    assert validation.check_image_size("image_size", 32, minimum=32) == 32
    maximum = validation.MAXIMUM_IMAGE_SIZE
    for value, received in ((0, "0"), (maximum + 1, str(maximum + 1)), (True, "True"), (64.0, "64.0"), ("64", "'64'")):
        with pytest.raises(ValueError, match=rf"^`width` must be an integer from 1 to {maximum}\. Received: width={received}$"):
            validation.check_image_size("width", value)
    with pytest.raises(ValueError, match=rf"^`image_size` must be an integer from 32 to {maximum}\. Received: image_size=31$"):
        validation.check_image_size("image_size", 31, minimum=32)
