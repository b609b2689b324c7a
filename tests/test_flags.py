"""The shared train-script flags (pyimagesearch/training/flags.py): defaults, checks, given flags."""

import argparse
import types

import pytest

from pyimagesearch.training import flags
from pyimagesearch.utils import errors, precision


def _parser(**overrides):
    parser = argparse.ArgumentParser()
    defaults = dict(dataset="digits", epochs=10, batch_size=32, learning_rate=0.01, seed=42, output="output",
                    checkpoint_every=5)
    flags.add_run_arguments(parser, **{**defaults, **overrides})
    parser.add_argument("--image-size", type=int, default=64)
    return parser


def test_defaults_come_from_the_experiment():
    arguments = flags.parse_run_arguments(_parser(epochs=40), [])
    assert (arguments.dataset, arguments.epochs, arguments.batch_size, arguments.learning_rate) == (
        "digits", 40, 32, 0.01
    )
    assert (arguments.seed, arguments.checkpoint_every, arguments.keep_checkpoints) == (42, 5, None)
    assert arguments.resume is None and arguments.from_epoch is None and arguments.run_id is None
    assert arguments.given_flags == []


def test_given_flags_are_the_ones_typed_even_with_default_values():
    arguments = flags.parse_run_arguments(_parser(), ["--epochs", "10", "--learning-rate", "0.5"])
    assert arguments.given_flags == ["epochs", "learning_rate"]
    assert arguments.epochs == 10 and arguments.learning_rate == 0.5


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--epochs", "0"], r"`--epochs` must be an integer >= 1. Received: --epochs=0"),
        (["--epochs", "-1"], r"Received: --epochs=-1"),
        (["--learning-rate", "-0.1"], r"`--learning-rate` must be a finite number > 0. Received: --learning-rate=-0.1"),
        (["--learning-rate", "nan"], r"Received: --learning-rate=nan"),
        (["--learning-rate", "0"], r"Received: --learning-rate=0.0"),
        (["--batch-size", "0"], r"Received: --batch-size=0"),
        (["--checkpoint-every", "0"], r"Received: --checkpoint-every=0"),
        (["--keep-checkpoints", "0"], r"Received: --keep-checkpoints=0"),
        (["--seed", "-5"], r"Received: --seed=-5"),
        (["--image-size", "1"], r"`--image-size` must be an integer from 8 to 4096. Received: --image-size=1"),
        (["--image-size", "100000"], r"Received: --image-size=100000"),
        (["--from-epoch", "3"], r"--from-epoch restarts a run, so it needs --resume"),
        (["--resume", "x", "--from-epoch", "0"], r"Received: --from-epoch=0"),
    ],
)
def test_bad_values_are_refused_by_flag_name(argv, message):
    with pytest.raises(errors.InvalidArgumentError, match=message):
        flags.parse_run_arguments(_parser(), argv)


def test_given_flags_leaves_the_parser_as_it_was():
    parser = _parser()
    parser.set_defaults(extra="kept")
    assert flags.given_flags(parser, ["--seed", "3"]) == {"seed"}
    arguments = parser.parse_args([])
    assert arguments.seed == 42 and arguments.extra == "kept"


def test_an_existing_dataset_path_is_made_absolute_and_a_catalog_name_is_kept(tmp_path, monkeypatch):
    (tmp_path / "images").mkdir()
    monkeypatch.chdir(tmp_path)
    arguments = flags.parse_run_arguments(_parser(), ["--dataset", "images"])
    assert arguments.dataset == str(tmp_path / "images")
    assert flags.parse_run_arguments(_parser(), ["--dataset", "synthetic-flowers17"]).dataset == "synthetic-flowers17"
    assert flags.parse_run_arguments(_parser(), ["--dataset", "missing/folder"]).dataset == "missing/folder"
    assert flags.parse_run_arguments(_parser(), []).dataset == "digits"  # the default, a catalog name


def test_deterministic_is_off_unless_asked_for():
    assert flags.parse_run_arguments(_parser(), []).deterministic is False
    arguments = flags.parse_run_arguments(_parser(), ["--deterministic"])
    assert arguments.deterministic is True and "deterministic" in arguments.given_flags


def test_overfit_turns_augmentation_off_and_must_be_positive():
    parser = _parser()
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True)
    assert flags.parse_run_arguments(parser, []).augment is True
    assert flags.parse_run_arguments(parser, ["--overfit", "20"]).augment is False
    with pytest.raises(errors.InvalidArgumentError, match="Received: --overfit=0"):
        flags.parse_run_arguments(parser, ["--overfit", "0"])


@pytest.mark.parametrize(
    "argv", [["--overfit", "5", "--find-lr"], ["--find-lr", "--preview-augmentation"], ["--find-lr", "--resume", "run"]]
)
def test_the_checks_are_one_at_a_time_and_only_for_a_new_run(argv):
    with pytest.raises(errors.InvalidArgumentError, match="use one at a time, without --resume. Received: "):
        flags.parse_run_arguments(_parser(), argv)


def test_precision_is_resolved_for_a_new_run_and_left_to_the_saved_run_on_resume():
    arguments = flags.parse_run_arguments(_parser(), ["--precision", "mixed_bfloat16"])
    assert (arguments.precision, arguments.precision_policy) == ("mixed_bfloat16", "mixed_bfloat16")
    auto = flags.parse_run_arguments(_parser(), [])
    assert auto.precision == "auto" and auto.precision_policy == precision.resolve("auto").policy and auto.precision_reason
    resumed = flags.parse_run_arguments(_parser(), ["--resume", "some/run"])
    assert not hasattr(resumed, "precision_policy")


def test_config_defaults_reads_the_seven_constants_and_takes_overrides():
    config = types.SimpleNamespace(DATASET="cifar10", EPOCHS=70, BATCH_SIZE=64, LEARNING_RATE=5e-3, SEED=42,
                                   OUTPUT="output", CHECKPOINT_EVERY=5, HDF5_DIR="datasets/x-hdf5", POWER=1.0)
    assert flags.config_defaults(config) == dict(dataset="cifar10", epochs=70, batch_size=64, learning_rate=5e-3,
                                                 seed=42, output="output", checkpoint_every=5)
    parser = argparse.ArgumentParser()
    flags.add_run_arguments(parser, **flags.config_defaults(config, dataset=config.HDF5_DIR, epochs=3))
    arguments = flags.parse_run_arguments(parser, [])
    assert (arguments.dataset, arguments.epochs, arguments.batch_size) == ("datasets/x-hdf5", 3, 64)
    # An overridden constant need not exist in the config.
    del config.DATASET
    assert flags.config_defaults(config, dataset="digits")["dataset"] == "digits"


def test_config_defaults_names_a_missing_constant_or_an_unknown_keyword():
    config = types.SimpleNamespace(DATASET="digits", EPOCHS=1, BATCH_SIZE=1, LEARNING_RATE=0.1, SEED=0, OUTPUT="o")
    with pytest.raises(ValueError, match=r"needs CHECKPOINT_EVERY .*Received: a config without CHECKPOINT_EVERY"):
        flags.config_defaults(config)
    with pytest.raises(ValueError, match=r"replaces only dataset, epochs.*Received: power"):
        flags.config_defaults(config, checkpoint_every=5, power=2)


def test_evaluate_arguments_default_to_the_latest_run_and_check_the_batch_size():
    parser = flags.add_evaluate_arguments(argparse.ArgumentParser(), output="runs", batch_size=16)
    arguments = flags.parse_evaluate_arguments(parser, [])
    assert (arguments.run, arguments.output, arguments.batch_size) == (None, "runs", 16)
    arguments = flags.parse_evaluate_arguments(parser, ["--run", "runs/x/1", "--batch-size", "2"])
    assert (arguments.run, arguments.batch_size) == ("runs/x/1", 2)
    with pytest.raises(errors.InvalidArgumentError, match=r"Received: --batch-size=0"):
        flags.parse_evaluate_arguments(parser, ["--batch-size", "0"])


def test_parse_evaluate_command_keeps_the_description_and_takes_the_options(capsys):
    description = "Score a run.\n\n    python evaluate.py --run RUN"
    arguments = flags.parse_evaluate_command(description, output="runs", batch_size=32, argv=["--batch-size", "4"])
    assert (arguments.run, arguments.output, arguments.batch_size) == (None, "runs", 4)
    with pytest.raises(SystemExit):
        flags.parse_evaluate_command(description, output="runs", run_help="run or fold folder",
                                     batch_size_help="images per batch (x10 crops)", argv=["--help"])
    shown = capsys.readouterr().out
    assert "    python evaluate.py --run RUN" in shown  # RawDescriptionHelpFormatter keeps the layout
    assert "run or fold folder" in shown and "images per batch (x10 crops)" in shown
    with pytest.raises(errors.InvalidArgumentError, match=r"Received: --batch-size=0"):
        flags.parse_evaluate_command(description, output="runs", argv=["--batch-size", "0"])
