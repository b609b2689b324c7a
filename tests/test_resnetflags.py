"""--stages and --filters, the ResNet experiments' architecture flags."""

import argparse
import types

import pytest

from pyimagesearch.training import resnetflags
from pyimagesearch.utils import errors

CONFIG = types.SimpleNamespace(STAGES=(9, 9, 9), FILTERS=(64, 64, 128, 256))


def _parse(*argv):
    return resnetflags.add_architecture_arguments(argparse.ArgumentParser(), CONFIG).parse_args(list(argv))


def test_the_defaults_are_the_experiment_s_course_network():
    arguments = _parse()
    assert (arguments.stages, arguments.filters) == ([9, 9, 9], [64, 64, 128, 256])
    assert resnetflags.check_architecture_arguments(arguments) is arguments


def test_a_small_variant_is_taken_and_a_wrong_one_refused_by_name():
    small = resnetflags.check_architecture_arguments(_parse("--stages", "1", "1", "1", "--filters", "8", "8", "16", "32"))
    assert (small.stages, small.filters) == ([1, 1, 1], [8, 8, 16, 32])
    with pytest.raises(errors.InvalidArgumentError, match=r"Received: filters=\[8, 8\]$"):
        resnetflags.check_architecture_arguments(_parse("--stages", "1", "1", "1", "--filters", "8", "8"))
    with pytest.raises(errors.InvalidArgumentError, match=r"at least 4 for each stage.*Received: filters=\[8, 2\]$"):
        resnetflags.check_architecture_arguments(_parse("--stages", "1", "--filters", "8", "2"))
