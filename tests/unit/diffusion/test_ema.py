import torch

from semcom.diffusion.ema import EMA


def test_ema_follows_geometric_average():
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.fill_(0.0)
        model.bias.fill_(0.0)
    ema = EMA(model, decay=0.9)
    with torch.no_grad():
        model.weight.fill_(1.0)
    for _ in range(10):
        ema.update(model)
    # shadow = 1 - 0.9^10 after 10 updates towards 1 from 0
    assert torch.allclose(ema.model.weight, torch.full((1, 2), 1 - 0.9**10))
    assert torch.all(ema.model.bias == 0.0)
    assert not ema.model.weight.requires_grad


def test_warmup_decay():
    ema = EMA(torch.nn.Linear(1, 1), decay=0.999)
    assert ema.decay_at(0) == 0.1 and ema.decay_at(90) == 0.91 and ema.decay_at(10**6) == 0.999
    assert ema.decay_at(None) == 0.999
