"""Plugins: files of the user's own channels, schemes, imputers or samplers.

A plugin is a Python file (or an importable module) whose classes register themselves when it
is imported (``@register_channel`` and the other registries). An experiment file names them::

    plugins = ["my_channels.py"]     # relative to the experiment file; or a module name
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path

from semcom.errors import SemcomError


def load_plugin(spec: str, base: Path | None = None) -> str:
    """Import the plugin ``spec`` (a ``.py`` path, relative to ``base``, or a module name) once;
    returns the module name it was imported under."""
    if not spec.endswith(".py"):
        try:
            importlib.import_module(spec)
        except ModuleNotFoundError as err:
            raise SemcomError(f"plugin module {spec!r} not found ({err}); allowed: a module name or a .py path") from None
        return spec
    path = (Path(spec) if base is None else Path(base) / spec).expanduser().resolve()
    if not path.is_file():
        raise SemcomError(f"plugin file {path} does not exist")
    name = f"semcom_plugin_{path.stem}_{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
    if name in sys.modules:
        return name
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise SemcomError(f"plugin file {path} cannot be imported as Python")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return name
