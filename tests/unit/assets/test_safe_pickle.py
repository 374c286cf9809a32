import gzip
import os
import pickle

import numpy as np
import pytest

from semcom.assets.safe_pickle import UnsafePickleError, load_file, loads


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_round_trips_numpy_containers(tmp_path):
    data = (
        {"w": np.arange(6, dtype=np.float32).reshape(2, 3)},
        (np.array([1, 2]), np.float64(3.5)),
    )
    out = loads(pickle.dumps(data))
    assert np.array_equal(out[0]["w"], data[0]["w"]) and out[0]["w"].dtype == np.float32
    path = tmp_path / "a.pkl.gz"
    with gzip.open(path, "wb") as fh:
        pickle.dump(data, fh)
    assert np.array_equal(load_file(path)[1][0], [1, 2])


def test_refuses_a_crafted_pickle(tmp_path):
    payload = pickle.dumps(Exploit())
    with pytest.raises(UnsafePickleError, match="refusing to unpickle global posix.system"):
        loads(payload)
    marker = tmp_path / "ran"

    class Writes:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with pytest.raises(UnsafePickleError):
        loads(pickle.dumps(Writes()))
    assert not marker.exists()
