"""End to end: bbox_regression trains on a tiny synthetic-boxes set, evaluates, predicts, and
stops on a bad annotation row before making a run folder."""

import json

import pytest

from pyimagesearch.datasets import catalog
from pyimagesearch.nn import boxes
from pyimagesearch.utils import strategy
from tests import scripts


def run_script(name, *arguments, datasets_root):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "2", catalog.ENVIRONMENT_VARIABLE: str(datasets_root)}
    return scripts.run_experiment_script("bbox_regression", name, arguments, environment=environment)


# The tests that use `trained_run` go to one pytest-xdist worker (pytest.ini: --dist loadgroup),
# so the module-scoped run is made once, not once in each worker.
SHARES_TRAINED_RUN = pytest.mark.xdist_group("test_bbox_regression.trained_run")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bbox")
    result = scripts.check_succeeded(run_script(
        "train.py", "--dataset", "synthetic-boxes-20", "--epochs", "1", "--image-size", "16", "--batch-size", "4",
        "--checkpoint-every", "1", "--output", str(root / "output"), "--run-id", "tiny",
        datasets_root=root / "datasets",
    ))
    return root, root / "output" / "bbox_regression" / "tiny", result


@SHARES_TRAINED_RUN
def test_train_generates_the_data_and_writes_the_iou_report(trained_run):
    root, run_dir, result = trained_run
    assert (root / "datasets" / "synthetic-boxes-20" / "annotations.csv").is_file()
    for name in ("config.json", "split.json", "history.json", "training.png", "model.keras", "best.keras",
                 "skipped.txt", boxes.METRICS_NAME, boxes.REPORT_NAME):
        assert (run_dir / name).is_file(), name
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 1 and len(history["val_loss"]) == 1  # regression: no accuracy
    split = json.loads((run_dir / "split.json").read_text())
    assert len(split["train"]) == 16 and len(split["test"]) == 4
    metrics = json.loads((run_dir / boxes.METRICS_NAME).read_text())
    assert metrics["samples"] == 4 and 0 <= metrics["mean_iou"] <= 1
    assert f"mean IoU:                {metrics['mean_iou']:.4f}" in result.stdout
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["backbone"] == "minivggnet" and config["arguments"]["weights"] == "none"
    assert config["replicas"] == 2


@SHARES_TRAINED_RUN
def test_evaluate_rebuilds_the_report_from_the_run_folder(trained_run):
    root, run_dir, _ = trained_run
    result = scripts.check_succeeded(run_script("evaluate.py", "--run", str(run_dir), datasets_root=root / "nowhere"))
    recorded = json.loads((run_dir / boxes.METRICS_NAME).read_text())
    rebuilt = json.loads((run_dir / "evaluation" / boxes.METRICS_NAME).read_text())
    assert rebuilt["mean_iou"] == pytest.approx(recorded["mean_iou"], abs=1e-6)
    assert rebuilt["samples"] == recorded["samples"]
    assert f"mean IoU recorded by train.py: {recorded['mean_iou']:.4f}" in result.stdout


@SHARES_TRAINED_RUN
def test_predict_draws_the_held_out_boxes(trained_run):
    root, run_dir, _ = trained_run
    result = scripts.check_succeeded(run_script("predict.py", "--run", str(run_dir), "--count", "2",
                                                datasets_root=root / "nowhere"))
    split = json.loads((run_dir / "split.json").read_text())
    expected = sorted(entry["filename"].split("/")[-1] for entry in split["test"][:2])
    assert sorted(path.name for path in (run_dir / "predictions").iterdir()) == expected
    assert result.stdout.count("predicted [") == 2 and "true [" in result.stdout


def test_a_bad_annotation_row_stops_train_before_a_run_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jpg").write_bytes(b"")
    csv_path = tmp_path / "data" / "annotations.csv"
    csv_path.write_text("a.jpg,1,2,3,4\nb.jpg,1,2,3\n")
    result = run_script("train.py", "--dataset", str(tmp_path / "data"), "--output", str(tmp_path / "output"),
                        datasets_root=tmp_path / "datasets")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: {csv_path}, line 2: expected 5 columns" in result.stderr
    assert not (tmp_path / "output").exists()
