"""Which floating-point precision a run trains in: `--precision auto|float32|mixed_bfloat16|mixed_float16`.

    choice = precision.resolve("auto")          # Choice(policy="float32", reason="...")
    with precision.policy_scope(choice.policy):
        model = MiniVGGNet.build(...)           # layers take the policy when they are created

"mixed_*" are Keras mixed-precision policies: layers compute in 16 bits and keep float32
variables; every network in `pyimagesearch.nn` builds its final softmax with dtype="float32", so the
probabilities and the loss stay float32. Under "mixed_float16", `Model.compile` wraps the
optimizer in Keras' `LossScaleOptimizer`, so small float16 gradients don't underflow.

What `auto` picks, and why:
- a GPU of compute capability 7.0 or more (tensor cores): "mixed_float16";
- every CPU: "float32". Without AMX-BF16 or AVX512-BF16, bfloat16 is emulated and about 4x
  slower. With them it is faster but, as measured, not as accurate: on an AMD EPYC with
  AVX512-BF16 (2 cores) this project's training path ran MiniVGGNet 1.41x (64x64) and 1.15x
  (32x32) faster in mixed_bfloat16, but the flagship's mean test accuracy over 3 seeds at 30
  epochs was 2.45 points below float32's (0.7412 against 0.7657), and `auto` takes a reduced
  precision only within 1 point (benchmarks/README.md, "Training on an AMD EPYC").
  `--precision mixed_bfloat16` asks for it explicitly.
"""

import contextlib
import dataclasses

from pyimagesearch.utils import validation

PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")
POLICIES = PRECISIONS[1:]
# Tensor cores, which make float16 matrix products fast, came with compute capability 7.0 (Volta).
MINIMUM_FLOAT16_COMPUTE_CAPABILITY = (7, 0)
NATIVE_BFLOAT16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")


@dataclasses.dataclass(frozen=True)
class Choice:
    """A resolved precision: the Keras dtype policy name and why it was chosen."""

    policy: str
    reason: str


def resolve(requested="auto"):
    """The `Choice` for a `--precision` value; anything but "auto" is taken as asked."""
    validation.check_choice("--precision", requested, PRECISIONS)
    if requested != "auto":
        return Choice(requested, "asked for with --precision")
    capabilities = gpu_compute_capabilities()
    if capabilities:
        if min(capabilities) >= MINIMUM_FLOAT16_COMPUTE_CAPABILITY:
            return Choice("mixed_float16", f"auto: GPU compute capability {_format(min(capabilities))} has tensor cores")
        return Choice("float32", f"auto: GPU compute capability {_format(min(capabilities))} is below 7.0")
    flags = cpu_bfloat16_flags()
    if flags:
        return Choice(
            "float32",
            f"auto: this CPU has {', '.join(flags)}, but mixed_bfloat16 trained the flagship 2.45 points less "
            "accurately than float32 on an AMD EPYC with AVX512-BF16 (benchmarks/README.md); --precision mixed_bfloat16 asks for it",
        )
    return Choice("float32", "auto: this CPU has no native bfloat16 (no AMX, no AVX512-BF16), so bfloat16 would be emulated")


def gpu_compute_capabilities():
    """(major, minor) of every local GPU TensorFlow sees; [] without one."""
    import tensorflow as tf

    capabilities = []
    for device in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(device).get("compute_capability")
        if capability:
            capabilities.append(tuple(capability))
    return capabilities


def cpu_bfloat16_flags(cpuinfo_path="/proc/cpuinfo"):
    """The native-bfloat16 flags (amx_bf16, avx512_bf16) the CPU lists; () when none, or when
    the file can't be read (not Linux)."""
    try:
        with open(cpuinfo_path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    listed = set(line.split(":", 1)[1].split())
                    return tuple(flag for flag in NATIVE_BFLOAT16_CPU_FLAGS if flag in listed)
    except OSError:
        pass
    return ()


def cpu_has_native_bfloat16(cpuinfo_path="/proc/cpuinfo"):
    """True if the CPU computes bfloat16 natively (AMX-BF16 or AVX512-BF16), False if not,
    None when unknown (no /proc/cpuinfo, or no flags line in it)."""
    try:
        with open(cpuinfo_path, encoding="utf-8") as handle:
            if not any(line.startswith("flags") for line in handle):
                return None
    except OSError:
        return None
    return bool(cpu_bfloat16_flags(cpuinfo_path))


@contextlib.contextmanager
def policy_scope(policy):
    """Sets Keras' global dtype policy to `policy` for the block, then restores the previous one.

    The policy is read when a layer is created, so build (or clone) the model inside the block;
    it keeps computing in that precision afterwards, and a saved model keeps it on load.
    """
    import keras

    validation.check_choice("policy", policy, POLICIES)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _format(capability):
    return ".".join(str(part) for part in capability)
