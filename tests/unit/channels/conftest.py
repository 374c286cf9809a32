"""Shared settings for the physical-layer tests."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Run each test on one torch thread (restored afterwards): Sionna's LDPC decoder is several
    times slower with two threads on a shared 2-core machine, and pytest-xdist already runs one
    worker per core."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
