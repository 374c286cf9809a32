"""Small tensors: one intra-op thread is fastest on the shared 2-core machine."""

import torch

torch.set_num_threads(1)
