"""End to end: ShallowNet trains on a tiny generated folder, evaluates and labels held-out images."""

import json

import cv2
import numpy as np
import pytest

from pyimagesearch.utils import strategy
from tests import scripts


def run_script(name, *arguments):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "2"}
    return scripts.run_experiment_script("shallownet_animals", name, arguments, environment=environment)


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Four classes of 8 wide JPEGs (one colour cue each) and a corrupt file; --classes keeps three."""
    root = tmp_path_factory.mktemp("animals")
    random = np.random.default_rng(0)
    for class_index, name in enumerate(("cats", "dogs", "pandas", "zebras")):
        (root / name).mkdir()
        for number in range(8):
            image = random.integers(0, 60, (30 + number, 50, 3), dtype=np.uint8)
            image[..., class_index % 3] += 150
            cv2.imwrite(str(root / name / f"{number}.jpg"), image)
    (root / "cats" / "corrupt.jpg").write_bytes(b"not a JPEG")
    return root


@pytest.fixture(scope="module")
def trained_run(image_folder, tmp_path_factory):
    output = tmp_path_factory.mktemp("output")
    result = scripts.check_succeeded(run_script(
        "train.py", "--dataset", image_folder, "--classes", "cats", "dogs", "pandas", "--epochs", "1",
        "--image-size", "16", "--batch-size", "4", "--output", output, "--run-id", "smoke",
    ))
    return output / "shallownet_animals" / "smoke", result


def test_train_evaluate_and_predict_from_the_run_folder(trained_run, tmp_path):
    run_dir, trained = trained_run
    for name in ("config.json", "split.json", "skipped.txt", "history.json", "training.png", "model.keras",
                 "classification_report.txt", "metrics.json"):
        assert (run_dir / name).is_file(), name
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["classes"] == ["cats", "dogs", "pandas"] and config["replicas"] == 2
    split = json.loads((run_dir / "split.json").read_text())
    assert split["class_names"] == ["cats", "dogs", "pandas"]  # zebras left out
    assert len(split["train"]) + len(split["test"]) == 25 and len(split["test"]) == 7
    assert "corrupt.jpg" in trained.stdout
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 1

    readable_test = [path for path in split["test"] if not path.endswith("corrupt.jpg")]

    evaluated = scripts.check_succeeded(run_script("evaluate.py", "--run", run_dir))
    recorded = json.loads((run_dir / "metrics.json").read_text())
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])
    assert rebuilt["samples"] == recorded["samples"] == len(readable_test)
    assert f"{recorded['accuracy']:.4f}" in evaluated.stdout

    predicted = scripts.check_succeeded(run_script("predict.py", "--run", run_dir, "--count", "4"))
    records = json.loads((run_dir / "predictions" / "predictions.json").read_text())
    assert 3 <= len(records) <= 4  # 4 drawn; one fewer if the corrupt file was among them
    test_paths = {split["dataset_root"] + "/" + path for path in split["test"]}
    for record in records:
        assert record["image"] in test_paths  # held-out images only
        image = cv2.imread(str(run_dir / "predictions" / record["file"]))
        assert image is not None and min(image.shape[:2]) >= 160  # enlarged so the label fits
        assert record["predicted"] in split["class_names"] and 0 <= record["probability"] <= 1
        assert f"predicted {record['predicted']}: " in predicted.stdout

    # --count beyond the held-out part labels every readable held-out image, into --output-dir.
    elsewhere = tmp_path / "labelled"
    scripts.check_succeeded(run_script("predict.py", "--run", run_dir, "--count", "50", "--output-dir", elsewhere))
    records = json.loads((elsewhere / "predictions.json").read_text())
    assert sorted(record["image"] for record in records) == sorted(
        split["dataset_root"] + "/" + path for path in readable_test
    )
    assert len(list(elsewhere.glob("*.png"))) == len(readable_test)


def test_an_unknown_class_stops_train_before_a_run_folder(image_folder, tmp_path):
    result = run_script("train.py", "--dataset", image_folder, "--classes", "cats", "lions", "--epochs", "1",
                        "--output", tmp_path / "output")
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    assert "has no class folder 'lions' (its classes: cats, dogs, pandas, zebras)" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "output").exists()
