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
