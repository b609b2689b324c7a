import numpy as np
import pytest

from pyimagesearch.utils import seeding


def test_same_seed_gives_same_numbers():
    seeding.set_seed(7)
    first = np.random.rand(3)
    seeding.set_seed(7)
    assert np.array_equal(first, np.random.rand(3))


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_invalid_seed_is_refused(seed):
    with pytest.raises(ValueError, match="Received"):
        seeding.set_seed(seed)


def test_set_seed_can_turn_on_op_determinism():
    # TensorFlow exports only `enable_op_determinism`; the test undoes it with the private pair.
    from tensorflow.python.framework import config as tf_config

    assert not tf_config.is_op_determinism_enabled()
    try:
        assert seeding.set_seed(3, deterministic=True) == 3
        assert tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()
    with pytest.raises(ValueError, match="Received"):
        seeding.set_seed(3, deterministic="yes")


def test_a_generator_is_a_function_of_its_key_alone():
    first = seeding.generator(1, seeding.AUGMENTATION, 2, 3).random(4)
    np.random.rand(5)
    np.testing.assert_array_equal(seeding.generator(1, seeding.AUGMENTATION, 2, 3).random(4), first)
    others = [seeding.generator(1, seeding.SHUFFLE, 2, 3), seeding.generator(1, seeding.AUGMENTATION, 3, 2),
              seeding.generator(2, seeding.AUGMENTATION, 2, 3)]
    assert all(not np.array_equal(other.random(4), first) for other in others)


def test_an_unseeded_stream_draws_its_seed_from_the_seeded_numpy_generator():
    seeding.set_seed(11)
    first = seeding.resolve_seed(None)
    seeding.set_seed(11)
    assert seeding.resolve_seed(None) == first and seeding.resolve_seed(4) == 4


def test_epoch_seeds_count_passes_outside_fit_and_follow_fit_inside():
    epoch_seeds = seeding.EpochSeeds(seed=1, initial_epoch=2)
    assert [epoch_seeds.next_epoch() for _ in range(2)] == [2, 3]
    epoch_seeds.on_epoch_begin(7)
    assert [epoch_seeds.next_epoch() for _ in range(3)] == [7, 7, 7]  # extra iterators Keras opens
    epoch_seeds.on_train_end()
    assert epoch_seeds.next_epoch() == 8
    with pytest.raises(ValueError, match="Received"):
        seeding.EpochSeeds(seed=1, initial_epoch=-1)


def _dropout_model():
    import keras

    model = keras.Sequential([keras.Input((6,)), keras.layers.Dropout(0.5), keras.layers.Dropout(0.3)])
    model.build((None, 6))
    return model


def _states(model):
    return [np.asarray(variable).tolist() for variable in model.variables if variable.name == "seed_generator_state"]


def test_random_layers_are_reseeded_from_the_seed_and_the_epoch_alone(tmp_path):
    import keras

    model = _dropout_model()
    model(np.ones((2, 6), np.float32), training=True)  # advances the state
    model.save(tmp_path / "model.keras")
    # Keras leaves the state out of a saved model: a loaded one starts from its initial state.
    assert _states(keras.saving.load_model(tmp_path / "model.keras")) != _states(model)
    np.random.rand(3)  # another process history
    other = _dropout_model()
    seeding.reseed_random_layers(model, seed=4, epoch=2)
    seeding.reseed_random_layers(other, seed=4, epoch=2)
    assert _states(model) == _states(other)
    assert len({state[0] for state in _states(model)}) == 2 and all(state[1] == 0 for state in _states(model))
    masks = [np.asarray(layer_model(np.ones((2, 6), np.float32), training=True)) for layer_model in (model, other)]
    np.testing.assert_array_equal(masks[0], masks[1])
    seeding.reseed_random_layers(other, seed=4, epoch=3)
    assert _states(model) != _states(other)


def test_replicas_moving_statistics_are_aligned_to_the_first_replica():
    import keras
    import tensorflow as tf

    from pyimagesearch.utils import strategy

    distribution = strategy.get_strategy()
    assert distribution.num_replicas_in_sync == 2
    with distribution.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization()])
        model.compile("sgd", "mse")
    features = np.concatenate([np.zeros((4, 3)), np.full((4, 3), 5.0)]).astype(np.float32)
    model.fit(tf.data.Dataset.from_tensor_slices((features, features)).batch(8), verbose=0)

    def copies():
        return [np.asarray(copy) for copy in distribution.experimental_local_results(model.layers[0].moving_mean.value)]

    first, second = copies()
    assert not np.allclose(first, second)  # each replica saw its own half of the batch
    seeding.align_replicas(model)
    for copy in copies():
        np.testing.assert_array_equal(copy, first)
