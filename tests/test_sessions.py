"""release_models: a loop that trains model after model does not grow in memory."""

import json
import subprocess
import sys
import textwrap

import keras

from pyimagesearch.utils import sessions

# Run in a fresh process: the peak resident memory of this one is set by earlier tests.
TRAIN_FIVE_MODELS = textwrap.dedent(
    """
    import json
    import keras
    import numpy as np
    from pyimagesearch.nn.conv import MiniVGGNet
    from pyimagesearch.utils import sessions

    rng = np.random.default_rng(0)
    images = rng.random((64, 32, 32, 3), dtype=np.float32)
    labels = keras.utils.to_categorical(rng.integers(0, 3, size=64), 3)
    peaks = []
    for seed in range(5):
        keras.utils.set_random_seed(seed)
        model = MiniVGGNet.build(width=32, height=32, depth=3, classes=3)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy")
        model.fit(images, labels, batch_size=16, epochs=2, verbose=0)
        del model
        sessions.release_models()
        peaks.append(sessions.peak_memory_bytes())
    print(json.dumps(peaks))
    """
)


def test_peak_memory_after_five_models_is_within_ten_percent_of_after_two():
    completed = subprocess.run(
        [sys.executable, "-c", TRAIN_FIVE_MODELS], capture_output=True, text=True, timeout=300, check=True
    )
    peaks = json.loads(completed.stdout.strip().splitlines()[-1])
    assert len(peaks) == 5
    assert peaks[4] <= 1.10 * peaks[1], [f"{peak / 2**20:.0f} MiB" for peak in peaks]


def test_release_models_clears_the_layer_name_registry():
    keras.layers.Dense(1)  # names count up within a session: dense, dense_1, ...
    sessions.release_models()
    assert keras.layers.Dense(1).name == "dense"


def test_peak_memory_is_a_positive_number_of_bytes():
    assert sessions.peak_memory_bytes() > 2**20
