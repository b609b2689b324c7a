"""A run's mean.json: written once from the training split, kept by a resumed run, read back checked."""

import json

import pytest

from pyimagesearch.preprocessing.meanpreprocessor import MeanPreprocessor
from pyimagesearch.training import runmean
from pyimagesearch.utils import errors

MEAN = {"R": 125.3, "G": 123.0, "B": 113.9}


def test_record_mean_writes_the_computed_mean_in_the_courses_format(tmp_path):
    assert runmean.record_mean(tmp_path, lambda: MEAN) == MEAN
    assert json.loads((tmp_path / runmean.MEAN_FILE).read_text()) == MEAN
    preprocessor = MeanPreprocessor.from_json(tmp_path / runmean.MEAN_FILE)
    assert (preprocessor.r_mean, preprocessor.g_mean, preprocessor.b_mean) == (125.3, 123.0, 113.9)
    assert runmean.read_mean(tmp_path) == MEAN


def test_a_resumed_run_keeps_the_mean_it_started_with(tmp_path):
    runmean.record_mean(tmp_path, lambda: MEAN)

    def must_not_be_called():
        raise AssertionError("the mean was computed again")

    assert runmean.record_mean(tmp_path, must_not_be_called) == MEAN


def test_read_mean_names_a_missing_file(tmp_path):
    with pytest.raises(errors.MissingFileError, match="No mean.json in"):
        runmean.read_mean(tmp_path)


@pytest.mark.parametrize("text", ["{", '{"R": 1, "G": 2}', '{"R": 1, "G": 2, "B": "3"}', '{"R": 1, "G": 2, "B": true}',
                                  '{"R": 1, "G": 2, "B": NaN}', "[1, 2, 3]"])
def test_read_mean_refuses_a_broken_file_naming_it(tmp_path, text):
    (tmp_path / runmean.MEAN_FILE).write_text(text)
    with pytest.raises(errors.InvalidFileError, match=r"mean file .*mean\.json .*Received: "):
        runmean.read_mean(tmp_path)
