"""Multi-view datasets behind one interface.

>>> from semcom.data import load_dataset
>>> ds = load_dataset("mvshapes", split="test", n=26)      # doctest: +SKIP
>>> views, label = ds[0]          # views: [V, C, H, W] float32 in [0, 1]
>>> ds.view_names, ds.class_names[label]

Datasets: ``mvshapes`` (synthetic, rendered with pybullet; the default), ``polymnist``
(MNIST over photographs, 5 views), ``nmr`` (ShapeNet renders from the user's disk).
"""

from semcom.data.base import SPLITS, DatasetInfo, MultiViewDataset
from semcom.data.registry import DATASETS, dataset_info, load_dataset

__all__ = ["DATASETS", "SPLITS", "DatasetInfo", "MultiViewDataset", "dataset_info", "load_dataset"]
