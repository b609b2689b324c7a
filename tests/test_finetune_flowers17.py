"""Smoke tests for experiments/finetune_flowers17 (train.py, evaluate.py, inspect_model.py).

Tiny generated folder (3 classes x 8 images), VGG16 at 32x32 with weights=None, one epoch per
stage (two in the fine-tuning stage of the single-split run, which is then cut and resumed: one
run for both checks). The single-split run goes in-process (2 replicas, warm TensorFlow); the
k-fold run is a real subprocess, as a user would start it. (tests/test_imagenet_pretrained.py runs the real offline failure
of ImageNet weights in a subprocess; here the download failure is simulated in-process.)
"""

import importlib.util
import json
import pathlib
import re
import sys

import cv2
import numpy as np
import pytest

from tests.scripts import check_succeeded, run_experiment_script

EXPERIMENT = pathlib.Path(__file__).resolve().parents[1] / "experiments" / "finetune_flowers17"
COLOURS = {"bluebell": (200, 60, 40), "crocus": (40, 200, 60), "tulip": (40, 60, 200)}
TINY = ["--weights", "none", "--image-size", "32", "--warmup-epochs", "1", "--epochs", "1", "--batch-size", "4"]
VGG16_HEAD = [20, 22]
VGG16_BLOCK5_AND_HEAD = [15, 16, 17, 20, 22]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("flowers")
    rng = np.random.default_rng(0)
    for name, colour in COLOURS.items():
        (root / name).mkdir()
        for index in range(8):
            noise = rng.integers(-25, 26, (40, 48, 3))
            image = np.clip(np.array(colour)[None, None, :] + noise, 0, 255).astype(np.uint8)
            cv2.imwrite(str(root / name / f"image_{index}.png"), image)
    return root


@pytest.fixture
def scripts(monkeypatch):
    """train, evaluate and inspect_model imported from the experiment folder, with its own `config`.

    Other experiments also have a module named `config`; it is swapped in only for the test.
    """
    monkeypatch.syspath_prepend(str(EXPERIMENT))
    monkeypatch.delitem(sys.modules, "config", raising=False)
    modules = {}
    for name in ("train", "evaluate", "inspect_model"):
        spec = importlib.util.spec_from_file_location(f"finetune_flowers17_{name}", EXPERIMENT / f"{name}.py")
        modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(modules[name])
    yield modules
    sys.modules.pop("config", None)


def read_json(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def assert_stage_outputs(run_dir, expected_finetune_indices, finetune_epochs=1):
    for stage, epochs in (("warmup", 1), ("finetune", finetune_epochs)):
        history = read_json(run_dir / stage / "history.json")
        assert len(history["loss"]) == epochs and len(history["val_accuracy"]) == epochs
        assert (run_dir / stage / "training.png").stat().st_size > 0
    stages = read_json(run_dir / "stages.json")
    assert [record["stage"]["name"] for record in stages] == ["warmup", "finetune"]
    assert stages[0]["trainable_indices"] == VGG16_HEAD
    assert stages[1]["trainable_indices"] == expected_finetune_indices
    for name in ("config.json", "split.json", "model.keras", "classification_report.txt", "metrics.json"):
        assert (run_dir / name).is_file(), name
    return stages


def test_single_split_run_then_evaluate_from_the_folder_alone_then_resume_inside_its_second_stage(
    scripts, dataset, tmp_path
):
    output = tmp_path / "output"

    scripts["train"].main(["--dataset", str(dataset), *TINY, "--epochs", "2", "--checkpoint-every", "1",
                           "--output", str(output), "--run-id", "single"])

    run_dir = output / "finetune_flowers17" / "single"
    assert_stage_outputs(run_dir, VGG16_BLOCK5_AND_HEAD, finetune_epochs=2)
    config = read_json(run_dir / "config.json")
    assert config["replicas"] == 2
    assert config["arguments"]["image_size"] == 32 and config["arguments"]["unfreeze_from"] == 15
    assert config["arguments"]["augment"] is True
    split = read_json(run_dir / "split.json")
    assert len(split["train"]) == 18 and len(split["test"]) == 6 and not set(split["train"]) & set(split["test"])
    recorded = read_json(run_dir / "metrics.json")
    assert recorded["samples"] == 6

    scripts["evaluate"].main(["--output", str(output)])  # the latest run

    evaluated = read_json(run_dir / "evaluation" / "metrics.json")
    assert evaluated["accuracy"] == recorded["accuracy"]
    assert evaluated["confusion_matrix"] == recorded["confusion_matrix"]
    assert (run_dir / "evaluation" / "classification_report.txt").read_text() == (
        run_dir / "classification_report.txt").read_text()

    assert sorted(path.name for path in (run_dir / "finetune" / "checkpoints").iterdir()) == [
        "epoch_1.keras", "epoch_2.keras"
    ]
    # Make it look killed during epoch 2 of stage 2: nothing after epoch 1's checkpoint exists.
    for name in ("stage.json", "model.keras", "checkpoints/epoch_2.keras"):
        (run_dir / "finetune" / name).unlink()
    for name in ("model.keras", "metrics.json"):
        (run_dir / name).unlink()
    warmup_model = (run_dir / "warmup" / "model.keras").stat().st_mtime_ns

    scripts["train"].main(["--resume", str(run_dir), "--output", str(output)])

    history = read_json(run_dir / "finetune" / "history.json")
    assert len(history["loss"]) == 2  # epoch 1 kept, epoch 2 trained again
    assert (run_dir / "finetune" / "checkpoints" / "epoch_2.keras").is_file()
    assert (run_dir / "warmup" / "model.keras").stat().st_mtime_ns == warmup_model  # stage 1 not rerun
    assert len(read_json(run_dir / "warmup" / "history.json")["loss"]) == 1
    assert (run_dir / "model.keras").is_file() and read_json(run_dir / "metrics.json")["samples"] == 6
    assert [record["stage"]["name"] for record in read_json(run_dir / "stages.json")] == ["warmup", "finetune"]


def test_kfold_run_in_a_subprocess_with_block_rates_decay_and_weight_decay(scripts, dataset, tmp_path):
    output = tmp_path / "output"
    arguments = [
        "--dataset", dataset, *TINY, "--no-augment",
        "--folds", "2", "--unfreeze-from", "block4_conv1", "--layer-lr-multipliers", "0.4,0.6",
        "--lr-decay-rate", "0.9", "--weight-decay", "1e-4", "--output", output, "--run-id", "kfold",
    ]

    completed = check_succeeded(run_experiment_script("finetune_flowers17", "train.py", arguments))

    run_dir = output / "finetune_flowers17" / "kfold"
    folds = [run_dir / "fold_1", run_dir / "fold_2"]
    tested = []
    for fold_dir in folds:
        stages = assert_stage_outputs(fold_dir, [11, 12, 13, 15, 16, 17, 20, 22])
        assert stages[1]["layer_multipliers"]["block4_conv2"] == 0.4
        assert stages[1]["layer_multipliers"]["block5_conv3"] == 0.6
        assert stages[1]["stage"]["decay_rate"] == 0.9 and stages[1]["stage"]["weight_decay"] == 1e-4
        split = read_json(fold_dir / "split.json")
        assert split["folds"] == 2 and len(split["test"]) == 12
        tested += split["test"]
    assert sorted(tested) == sorted(f"{name}/image_{index}.png" for name in COLOURS for index in range(8))
    summary = read_json(run_dir / "cross_validation.json")
    accuracies = [read_json(fold_dir / "metrics.json")["accuracy"] for fold_dir in folds]
    assert summary["accuracy"] == accuracies
    assert summary["mean_accuracy"] == pytest.approx(np.mean(accuracies))
    assert summary["std_accuracy"] == pytest.approx(np.std(accuracies))
    assert "2-fold accuracy: mean" in completed.stdout

    scripts["evaluate"].main(["--run", str(run_dir)])

    assert read_json(run_dir / "evaluation" / "cross_validation.json")["accuracy"] == accuracies


def test_imagenet_weights_without_network_fail_fast_before_any_run_folder(scripts, dataset, tmp_path, monkeypatch):
    import keras

    from pyimagesearch.nn import applications

    def offline_vgg16(weights=None, **arguments):
        # What keras.utils.get_file raises when the weights are not cached and there is no network.
        raise Exception("URL fetch failure on https://storage.googleapis.com/vgg16_notop.h5: None -- refused")

    monkeypatch.setattr(keras.applications, "VGG16", offline_vgg16)
    output = tmp_path / "output"

    with pytest.raises(applications.PretrainedWeightsError, match=r"(?s)vgg16 \(include_top=False\).*--weights none"):
        scripts["train"].main(["--dataset", str(dataset), "--weights", "imagenet", "--output", str(output)])

    assert not output.exists()  # nothing made, no image loaded: the weights are checked first


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--unfreeze-from", "block9_conv1"], "no layer named 'block9_conv1'"),
        (["--unfreeze-from", "25"], "Received: unfreeze_from=25"),
        (["--backbone", "vgg61"], "Received: name='vgg61'"),
        (["--folds", "9"], "at least 9 images each. Received: images per class="),
        (["--weights", "missing.weights.h5"], "does not exist. Received: weights="),
        (["--lr-decay-rate", "1.5"], "Received: decay_rate=1.5"),
        (["--epochs", "-1"], "Received: epochs=-1"),
    ],
)
def test_bad_settings_fail_early_with_a_message(scripts, dataset, tmp_path, arguments, message):
    output = tmp_path / "output"
    with pytest.raises(ValueError, match=re.escape(message)):
        scripts["train"].main(["--dataset", str(dataset), *TINY, "--output", str(output), *arguments])

    assert not output.exists()


def test_inspect_model_prints_index_name_and_class(scripts, capsys):
    scripts["inspect_model"].main(
        ["--backbone", "vgg16", "--no-include-top", "--weights", "none", "--image-size", "32"]
    )

    lines = capsys.readouterr().out.splitlines()
    index, name, class_name = lines[1].split()[:3]
    assert (index, class_name) == ("0", "InputLayer") and name.startswith("input_layer")
    assert lines[16].split() == ["15", "block5_conv1", "Conv2D", "2,359,808", "block5"]
    assert "19 layers, include_top=False" in lines[-1]
