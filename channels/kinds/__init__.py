"""The built-in channel models, one file each (see :mod:`channels.contract`)."""
