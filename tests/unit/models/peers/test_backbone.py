"""The VAEs' view decoders: drawing only some views equals drawing all and selecting."""

import pytest
import torch

from semcom.models.peers.backbone import ViewDecoders


@pytest.mark.parametrize("shared", [True, False])
def test_decode_selected_is_forward_then_select(shared):
    torch.manual_seed(0)
    decoders = ViewDecoders(3, 2, 8, 5, (4, 8), shared)
    z = torch.randn(4, 5)
    mask = torch.tensor([[1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]], dtype=torch.bool)
    picked = decoders.decode_selected(z, mask)
    assert picked.shape == (6, 2, 8, 8)
    torch.testing.assert_close(picked, decoders(z)[mask])
