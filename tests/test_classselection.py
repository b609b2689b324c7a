"""select_classes: a subset of an image folder's classes, with typos refused."""

import pytest

from pyimagesearch.datasets import classselection

PATHS = ["root/0/a.png", "root/1/b.png", "root/2/c.png", "root/0/d.png", "root/3/e.png"]


def test_keeps_the_named_classes_in_the_original_order():
    assert classselection.select_classes(PATHS, ["2", "0"], "root") == ["root/0/a.png", "root/2/c.png", "root/0/d.png"]


def test_none_keeps_every_path():
    assert classselection.select_classes(iter(PATHS), None, "root") == PATHS


def test_an_unknown_class_is_named_with_the_classes_there_are():
    with pytest.raises(ValueError, match=r"root has no class folder '7' \(its classes: 0, 1, 2, 3\)\. Received: classes=\['0', '7'\]$"):
        classselection.select_classes(PATHS, ["0", "7"], "root")


@pytest.mark.parametrize("classes", [["0"], ["0", "0"]])
def test_fewer_than_two_classes_are_refused(classes):
    with pytest.raises(ValueError, match=r"at least 2 classes\. Received: classes="):
        classselection.select_classes(PATHS, classes, "root")


@pytest.mark.parametrize("classes", ["012", [0, 1]])
def test_classes_must_be_a_list_of_names(classes):
    with pytest.raises(ValueError, match=r"list of class folder names\. Received: classes="):
        classselection.select_classes(PATHS, classes, "root")
