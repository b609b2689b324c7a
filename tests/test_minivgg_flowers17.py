"""End to end: the flagship trains on a tiny generated folder, evaluates, resumes and fails clearly."""

import json
import shutil
import time

import cv2
import numpy as np
import pytest

from pyimagesearch.utils import strategy
from tests import scripts


def run_script(name, *arguments, cwd=None, extra_environment=None):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "2", **(extra_environment or {})}
    return scripts.run_experiment_script("minivgg_flowers17", name, arguments, cwd=cwd, environment=environment)


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """3 classes of 9 images: JPEG, PNG, grayscale, odd sizes, and one corrupt file."""
    root = tmp_path_factory.mktemp("flowers")
    random = np.random.default_rng(0)
    for class_index in range(3):
        folder = root / f"class_{class_index}"
        folder.mkdir()
        for number in range(9):
            height, width = 37 + 5 * number, 53 + 3 * number
            image = random.integers(0, 60, (height, width, 3), dtype=np.uint8)
            image[..., class_index] += 150  # a learnable colour cue
            if number == 0:
                cv2.imwrite(str(folder / f"{number}.png"), cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
            elif number == 1:
                cv2.imwrite(str(folder / f"{number}.png"), image)
            else:
                cv2.imwrite(str(folder / f"{number}.jpg"), image)
    (root / "class_0" / "corrupt.jpg").write_bytes(b"this is not a JPEG")
    return root


# The tests that use `trained_run` go to one pytest-xdist worker (pytest.ini: --dist loadgroup),
# so the module-scoped run is made once, not once in each worker.
SHARES_TRAINED_RUN = pytest.mark.xdist_group("test_minivgg_flowers17.trained_run")


@pytest.fixture(scope="module")
def trained_run(image_folder, tmp_path_factory):
    """Trained with a relative --dataset from the folder above it; evaluate.py and --resume run
    from the repository, so they only find the images if the run saved their path absolute."""
    output = tmp_path_factory.mktemp("output")
    result = run_script(
        "train.py", "--dataset", image_folder.name, "--epochs", "2", "--image-size", "16",
        "--batch-size", "4", "--checkpoint-every", "1", "--output", str(output), "--run-id", "smoke",
        cwd=image_folder.parent,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return output / "minivgg_flowers17" / "smoke", result


@SHARES_TRAINED_RUN
def test_train_writes_a_complete_run_folder(trained_run):
    run_dir, result = trained_run
    for name in ("config.json", "split.json", "history.json", "training.png", "model.keras",
                 "best.keras", "classification_report.txt", "metrics.json", "confusion_matrix.png"):
        assert (run_dir / name).is_file(), name
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["image_size"] == 16 and config["seed"] == 42
    assert config["replicas"] == 2
    assert "tensorflow" in config["versions"]
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 2 and len(history["val_accuracy"]) == 2
    split = json.loads((run_dir / "split.json").read_text())
    assert len(split["train"]) + len(split["test"]) == 28
    assert "corrupt.jpg" in result.stderr + result.stdout  # skipped and named
    assert not list(run_dir.rglob(".*partial*"))


@SHARES_TRAINED_RUN
def test_dataset_paths_are_saved_absolute(trained_run, image_folder):
    run_dir, _ = trained_run
    split = json.loads((run_dir / "split.json").read_text())
    config = json.loads((run_dir / "config.json").read_text())
    assert split["dataset_root"] == str(image_folder)
    assert config["arguments"]["dataset"] == str(image_folder)
    assert config["extra"]["dataset_root"] == str(image_folder)


@SHARES_TRAINED_RUN
def test_skipped_files_are_one_info_line_and_listed_in_the_run_folder(trained_run, image_folder):
    run_dir, result = trained_run
    corrupt = image_folder / "class_0" / "corrupt.jpg"
    listed = run_dir / "skipped.txt"
    lines = listed.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "skipped 1 of 28 images (path<TAB>reason):"
    assert lines[1:] == [f"{corrupt}\tnot a decodable image (unknown format or corrupt data)"]
    summary = [line for line in result.stdout.splitlines() if line.startswith("[INFO] skipped")]
    reason = "not a decodable image (unknown format or corrupt data)"
    assert summary == [f"[INFO] skipped 1 of 28 images (first: {corrupt}: {reason}; listed in {listed})"]
    assert "loader.skipped" not in result.stderr and "Skipped 1 of" not in result.stderr  # no Python warning


def test_a_class_with_no_readable_image_stops_train_before_a_run_folder(image_folder, tmp_path):
    dataset = tmp_path / "flowers"
    for name in ("class_1", "class_2"):
        shutil.copytree(image_folder / name, dataset / name)
    (dataset / "empty").mkdir()
    for number in range(4):
        (dataset / "empty" / f"{number}.jpg").write_bytes(b"")
    result = run_script("train.py", "--dataset", str(dataset), "--epochs", "1", "--image-size", "16",
                        "--output", str(tmp_path / "output"))
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "No image of class 'empty' in the train part could be read" in error[0], error
    assert "the file is empty" in error[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


@SHARES_TRAINED_RUN
def test_evaluate_finds_the_latest_run_and_reproduces_its_metrics(trained_run):
    run_dir, _ = trained_run
    # --output instead of --run: evaluate.py picks the newest run folder itself.
    result = run_script("evaluate.py", "--output", str(run_dir.parents[1]))
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(run_dir) in result.stdout
    recorded = json.loads((run_dir / "metrics.json").read_text())
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])
    assert rebuilt["samples"] == recorded["samples"]
    assert f"{recorded['accuracy']:.4f}" in result.stdout


@SHARES_TRAINED_RUN
def test_resume_continues_at_the_next_epoch(trained_run):
    run_dir, _ = trained_run
    result = run_script("train.py", "--resume", str(run_dir), "--epochs", "3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "resuming from" in result.stdout and "epoch 2" in result.stdout
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 3
    assert (run_dir / "checkpoints" / "epoch_3.keras").is_file()


def test_missing_dataset_without_network_fails_fast_and_leaves_nothing(tmp_path):
    # An unreachable local port stands in for "no network", so the test behaves the same
    # on a machine that does have internet access.
    started = time.monotonic()
    result = run_script(
        "train.py", "--dataset", "flowers17", cwd=tmp_path,
        extra_environment={"PYIMAGESEARCH_DATASETS": str(tmp_path / "datasets"),
                           "PYIMAGESEARCH_DATASET_MIRROR": "http://127.0.0.1:9"},
    )
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    assert "datasets/flowers17" in result.stderr
    assert "synthetic-flowers17" in result.stderr
    assert "Traceback" not in result.stderr
    leftovers = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert leftovers == []


def test_hdf5_run_builds_once_trains_from_the_files_and_evaluates(image_folder, tmp_path):
    hdf5_dir = tmp_path / "flowers-hdf5"
    common = ["--hdf5", str(hdf5_dir), "--epochs", "1", "--image-size", "16", "--batch-size", "4",
              "--output", str(tmp_path / "output")]
    first = run_script("train.py", "--dataset", str(image_folder), "--run-id", "first", *common)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "[INFO] building" in first.stdout
    assert sorted(path.name for path in hdf5_dir.iterdir()) == [
        "build_report.txt", "flowers-hdf5_mean.json", "test.hdf5", "train.hdf5"
    ]
    assert "corrupt.jpg" in (hdf5_dir / "build_report.txt").read_text()
    run_dir = tmp_path / "output" / "minivgg_flowers17" / "first"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["extra"]["hdf5_dir"] == str(hdf5_dir.resolve()) and not (run_dir / "split.json").exists()
    recorded = json.loads((run_dir / "metrics.json").read_text())
    assert recorded["samples"] == 7  # 25% of the 27 readable images, rounded up

    # evaluate.py rebuilds the report from the run folder, from another working directory
    evaluated = run_script("evaluate.py", "--run", str(run_dir), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])

    # the folder is built once: a second run reads it, whatever --dataset says
    built_at = (hdf5_dir / "train.hdf5").stat().st_mtime_ns
    mismatch = run_script("train.py", "--dataset", "no-such-dataset", "--hdf5", str(hdf5_dir), "--image-size", "32",
                          "--output", str(tmp_path / "output"))
    assert mismatch.returncode == 2 and "Traceback" not in mismatch.stderr
    assert "train.hdf5 holds (16, 16, 3) images" in mismatch.stderr
    assert (hdf5_dir / "train.hdf5").stat().st_mtime_ns == built_at
    assert [path.name for path in run_dir.parent.iterdir()] == ["first"]  # no empty run folder


def test_overfit_shows_minivggnet_fitting_20_images(tmp_path):
    # Colour images with a class cue (the shared folder's grayscale and corrupt files would test
    # the loader, not the network).
    random = np.random.default_rng(1)
    for class_index in range(3):
        folder = tmp_path / "images" / f"class_{class_index}"
        folder.mkdir(parents=True)
        for number in range(10):
            image = random.integers(0, 80, (32, 32, 3), dtype=np.uint8)
            image[..., class_index] += 150
            cv2.imwrite(str(folder / f"{number}.png"), image)
    result = run_script(
        # At 16x16 it reaches 1.0 in epoch 3 on this data; 6 epochs leave a margin for other seeds
        # of the initial weights while keeping the test short.
        "train.py", "--dataset", tmp_path / "images", "--image-size", "16", "--batch-size", "10", "--epochs", "6",
        "--overfit", "20", "--output", tmp_path / "output", "--run-id", "overfit",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "--overfit 20: training accuracy reached 0.99 in epoch" in result.stdout
    saved = json.loads((tmp_path / "output" / "minivgg_flowers17" / "overfit" / "config.json").read_text())
    assert saved["arguments"]["overfit"] == 20 and saved["arguments"]["augment"] is False


def test_find_lr_and_preview_write_their_files_and_no_model(image_folder, tmp_path):
    for flag, run_id in (("--find-lr", "lr"), ("--preview-augmentation", "preview")):
        result = run_script(
            "train.py", "--dataset", image_folder, "--image-size", "16", "--batch-size", "4",
            flag, "--output", tmp_path, "--run-id", run_id,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lr_run, preview_run = tmp_path / "minivgg_flowers17" / "lr", tmp_path / "minivgg_flowers17" / "preview"
    finder = json.loads((lr_run / "lr_finder.json").read_text())
    assert finder["rates"][0] == pytest.approx(1e-7) and len(finder["rates"]) <= 100
    assert finder["suggestion"] == pytest.approx(finder["minimum_rate"] / 10)
    assert (lr_run / "lr_finder.png").stat().st_size > 0
    assert cv2.imread(str(preview_run / "augmentation.png")) is not None
    for run in (lr_run, preview_run):
        assert not (run / "model.keras").exists() and not (run / "checkpoints").exists()


def test_a_mixed_precision_run_resumes_in_its_own_precision(image_folder, tmp_path):
    from pyimagesearch.training import runs

    common = ("--image-size", "16", "--batch-size", "4", "--checkpoint-every", "1", "--output", tmp_path)
    first = run_script("train.py", "--dataset", image_folder, "--epochs", "1", "--precision", "mixed_bfloat16",
                       "--run-id", "bf16", *common)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    run_dir = tmp_path / "minivgg_flowers17" / "bf16"
    saved = json.loads((run_dir / "config.json").read_text())["arguments"]
    assert (saved["precision"], saved["precision_policy"]) == ("mixed_bfloat16", "mixed_bfloat16")
    refused = run_script("train.py", "--resume", run_dir, "--epochs", "2", "--precision", "float32")
    assert refused.returncode == 2 and "--precision differs from the run being resumed" in refused.stderr
    resumed = run_script("train.py", "--resume", run_dir, "--epochs", "2")
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert "[INFO] precision: mixed_bfloat16 (the run's own" in resumed.stdout
    import keras

    model = runs.load_model(run_dir / "model.keras")
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convolutions and all(layer.compute_dtype == "bfloat16" for layer in convolutions)
    assert model.layers[-1].compute_dtype == "float32"
