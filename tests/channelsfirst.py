"""Calling a channels_first model in a test, where this machine's TensorFlow can run it.

TensorFlow's own CPU Conv2D kernel takes NHWC only ("The Conv2D op currently only supports the
NHWC tensor format on the CPU"); NCHW runs on the CPU through oneDNN, which TensorFlow turns on
by default only on some CPUs (it ran on the AVX-512 machines this suite has seen, and not on an
AVX2-only AMD EPYC). The tests check everything they can about a channels_first model (input
shape, parameters, axes), then call it through `call`, which skips the rest of the test, with
that reason, where the kernel is missing, and fails on any other error.
"""

import pytest

NHWC_ONLY = "only supports the NHWC tensor format on the CPU"


def call(model, inputs, **keywords):
    """`model(inputs, **keywords)`, or a skip if this CPU's TensorFlow has no NCHW Conv2D."""
    try:
        return model(inputs, **keywords)
    except Exception as error:  # TensorFlow's UnimplementedError, wrapped by Keras' layer call
        if NHWC_ONLY not in str(error):
            raise
        pytest.skip(f"this machine's TensorFlow has no channels_first Conv2D on the CPU ({NHWC_ONLY})")
