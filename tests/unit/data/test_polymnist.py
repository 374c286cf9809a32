import numpy as np
import pytest

from semcom.data.polymnist import INFO, build_arrays, load_mnist, load_photo, overlay_digits


@pytest.fixture(scope="module")
def built(require_asset_module):  # noqa: ARG001
    return build_arrays("test", 28, 400, seed=0, progress=False)


@pytest.fixture(scope="module")
def require_asset_module():
    from semcom.assets import asset_path
    from semcom.errors import AssetMissingError

    try:
        asset_path("mnist")
    except AssetMissingError as err:
        pytest.skip(str(err))


def test_shapes_and_views(built):
    images, labels = built
    assert images.shape == (400, 5, 3, 28, 28) and images.dtype == np.uint8
    assert INFO.view_names == ("china", "flower", "astronaut", "cat", "coffee")
    assert set(np.unique(labels)) == set(range(10))


def test_class_balance_follows_mnist(built):
    _, labels = built
    share = np.bincount(labels, minlength=10) / len(labels)
    assert share.min() > 0.05 and share.max() < 0.16


def test_views_show_different_writers_and_backgrounds(built):
    images, _ = built
    x = images.astype(np.int16)
    for v in range(1, 5):
        assert np.abs(x[:, 0] - x[:, v]).mean() > 20
    # the backgrounds differ in colour statistics per view
    means = images.reshape(400, 5, 3, -1).mean(axis=(0, 3))  # [5, 3]
    assert np.unique(np.round(means), axis=0).shape[0] == 5


def test_digit_pixels_are_inverted_background():
    crops = np.full((1, 28, 28, 3), (10, 100, 200), dtype=np.uint8)
    digits = np.zeros((1, 28, 28), dtype=np.uint8)
    digits[0, 5:20, 12:15] = 255
    digits[0, 0, 0] = 100  # faint stroke below the threshold stays background
    out = overlay_digits(crops, digits)
    assert out.shape == (1, 3, 28, 28)
    assert tuple(out[0, :, 10, 13]) == (245, 155, 55)
    assert tuple(out[0, :, 0, 0]) == (10, 100, 200)


def test_sources(require_asset_module):
    digits, labels = load_mnist("test")
    assert digits.shape == (10000, 28, 28) and digits.dtype == np.uint8 and digits.max() == 255
    assert np.bincount(labels).min() > 800
    assert min(load_photo("china").shape[:2]) == 128


def test_same_seed_same_bytes_other_seed_other_tuples(require_asset_module):
    a, la = build_arrays("val", 28, 50, seed=1, progress=False)
    b, lb = build_arrays("val", 28, 50, seed=1, progress=False)
    c, _ = build_arrays("val", 28, 50, seed=2, progress=False)
    assert a.tobytes() == b.tobytes() and np.array_equal(la, lb)
    assert a.tobytes() != c.tobytes()


def test_the_first_tuples_are_the_same_whatever_n(built):
    """Tuple i depends only on (seed, split, i): builds of 100, 300 and 400 tuples agree on their
    first 100, byte for byte."""
    first, first_labels = build_arrays("test", 28, 100, seed=0, progress=False)
    for images, labels in (build_arrays("test", 28, 300, seed=0, progress=False), built):
        assert np.array_equal(images[:100], first) and np.array_equal(labels[:100], first_labels)


def test_anchors_use_every_digit_once_before_any_twice():
    from semcom.data.polymnist import digit_anchors

    anchors = digit_anchors(50, 120, seed=0, split="test")
    assert sorted(anchors[:50]) == list(range(50)) and sorted(anchors[50:100]) == list(range(50))
    assert np.array_equal(digit_anchors(50, 60, seed=0, split="test"), anchors[:60])
