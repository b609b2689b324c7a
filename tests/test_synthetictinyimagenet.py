"""The synthetic Tiny ImageNet stand-in: the extracted layout, read by the Tiny ImageNet reader."""

import cv2
import pytest

from pyimagesearch.datasets import catalog, synthetictinyimagenet, tinyimagenet


def test_the_stand_in_has_tiny_imagenets_layout_and_the_reader_reads_it(tmp_path):
    folder = synthetictinyimagenet.generate_synthetic_tiny_imagenet(
        tmp_path / "stand-in", classes=3, train_per_class=4, val_per_class=2, verbose=False
    )

    wnids = [synthetictinyimagenet.wnid(index) for index in range(3)]
    assert (folder / "wnids.txt").read_text(encoding="utf-8").split() == wnids
    for wnid in wnids:
        images = sorted(path.name for path in (folder / "train" / wnid / "images").iterdir())
        assert images == [f"{wnid}_{index}.JPEG" for index in range(4)]
    image = cv2.imread(str(folder / "train" / wnids[0] / "images" / f"{wnids[0]}_0.JPEG"))
    assert image.shape == (64, 64, 3)
    lines = (folder / "val" / "val_annotations.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and lines[1].split("\t") == ["val_1.JPEG", wnids[1], "0", "0", "63", "63"]
    assert "not ImageNet photographs" in (folder / "SYNTHETIC.txt").read_text(encoding="utf-8")

    parts = tinyimagenet.load_tiny_imagenet_splits(folder, val_per_class=1)
    assert parts["wnids"] == wnids
    assert all(name.startswith("synthetic_") for name in parts["class_names"])
    assert len(parts["train"][0]) == 9 and len(parts["val"][0]) == 3
    assert sorted(parts["test"][1].tolist()) == [0, 0, 1, 1, 2, 2]


def test_the_same_seed_gives_the_same_images(tmp_path):
    folders = [
        synthetictinyimagenet.generate_synthetic_tiny_imagenet(
            tmp_path / name, seed=seed, classes=2, train_per_class=1, val_per_class=1, verbose=False
        )
        for name, seed in (("a", 1), ("b", 1), ("c", 2))
    ]
    relative = "val/images/val_0.JPEG"
    assert (folders[0] / relative).read_bytes() == (folders[1] / relative).read_bytes()
    assert (folders[0] / relative).read_bytes() != (folders[2] / relative).read_bytes()


def test_the_catalog_name_generates_the_default_offline(tmp_path):
    folder = catalog.resolve_dataset("synthetic-tiny-imagenet", datasets_root=tmp_path, verbose=False)

    parts = tinyimagenet.load_tiny_imagenet_splits(folder, val_per_class=10)
    assert len(parts["wnids"]) == synthetictinyimagenet.DEFAULT_CLASSES
    train_images = synthetictinyimagenet.DEFAULT_TRAIN_PER_CLASS - 10
    assert len(parts["train"][0]) == synthetictinyimagenet.DEFAULT_CLASSES * train_images
    assert len(parts["test"][0]) == synthetictinyimagenet.DEFAULT_CLASSES * synthetictinyimagenet.DEFAULT_VAL_PER_CLASS


@pytest.mark.parametrize("arguments", [{"classes": 1}, {"classes": 201}, {"train_per_class": 0}, {"val_per_class": 0}])
def test_bad_sizes_are_refused(tmp_path, arguments):
    with pytest.raises(ValueError, match=r"Received:"):
        synthetictinyimagenet.generate_synthetic_tiny_imagenet(tmp_path / "x", verbose=False, **arguments)
    assert not (tmp_path / "x").exists()
