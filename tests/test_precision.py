"""--precision: what auto picks on which hardware, the policy scope, the CPU flag reading."""

import keras
import pytest

from pyimagesearch.utils import errors, precision


def test_an_explicit_precision_is_taken_as_asked():
    assert precision.resolve("mixed_bfloat16") == precision.Choice("mixed_bfloat16", "asked for with --precision")
    assert precision.resolve("float32").policy == "float32"


def test_an_unknown_precision_is_refused_naming_the_flag():
    with pytest.raises(errors.InvalidArgumentError, match=r"--precision.*Received: --precision='half'"):
        precision.resolve("half")


@pytest.mark.parametrize(
    "capabilities, expected",
    [([(8, 0)], "mixed_float16"), ([(7, 0), (8, 6)], "mixed_float16"), ([(6, 1)], "float32"), ([(8, 0), (6, 1)], "float32")],
)
def test_auto_on_gpus_needs_tensor_cores_on_every_one(monkeypatch, capabilities, expected):
    monkeypatch.setattr(precision, "gpu_compute_capabilities", lambda: capabilities)
    choice = precision.resolve("auto")
    assert choice.policy == expected and "compute capability" in choice.reason


@pytest.mark.parametrize("flags", [(), ("avx512_bf16",), ("amx_bf16", "avx512_bf16")])
def test_auto_on_a_cpu_is_float32_and_says_why(monkeypatch, flags):
    monkeypatch.setattr(precision, "gpu_compute_capabilities", lambda: [])
    monkeypatch.setattr(precision, "cpu_bfloat16_flags", lambda: flags)
    choice = precision.resolve("auto")
    assert choice.policy == "float32"
    assert ("emulated" in choice.reason) == (not flags)
    assert all(flag in choice.reason for flag in flags)


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_tile amx_bf16\n")
    assert precision.cpu_bfloat16_flags(cpuinfo) == ("amx_bf16", "avx512_bf16")
    assert precision.cpu_has_native_bfloat16(cpuinfo) is True
    cpuinfo.write_text("flags\t\t: fpu sse avx512f avx512_vnni\n")
    assert precision.cpu_bfloat16_flags(cpuinfo) == () and precision.cpu_has_native_bfloat16(cpuinfo) is False
    assert precision.cpu_has_native_bfloat16(tmp_path / "missing") is None


def test_policy_scope_builds_layers_in_the_policy_and_restores_it_even_on_error():
    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError):
        with precision.policy_scope("mixed_bfloat16"):
            layer = keras.layers.Dense(2)
            raise RuntimeError("inside")
    assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"
    assert keras.config.dtype_policy().name == before
    with pytest.raises(errors.InvalidArgumentError, match="Received: policy='auto'"):
        with precision.policy_scope("auto"):
            pass
