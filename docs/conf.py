"""Sphinx configuration of the semcom documentation (``make docs``).

The build needs no network, no runs/ folder and no fetched assets: autodoc only imports the
modules, and the tables of grid axes, configs and datasets are generated from the code by the
local extension ``docs/_ext/semcom_tables.py``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))

import semcom  # noqa: E402

project = "semcom"
author = "semcom developers"
copyright = "semcom developers, Apache-2.0"
release = version = semcom.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "semcom_tables",
    "docstring_markup",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# MyST: anchors for #, ## and ### headings, so pages link to sections as they do on GitHub
myst_heading_anchors = 3

# API reference: one page per module, found by walking the packages (api.rst), so modules that
# move between files need no edit here. Members are documented where they are defined.
autosummary_generate = True
# stubs are written to docs/generated/ on every build; a stub left from a module that has since
# moved would fail to import, so start from none
shutil.rmtree(DOCS / "generated", ignore_errors=True)
autosummary_imported_members = False
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"

html_theme = "alabaster"
html_title = f"semcom {release}"
html_theme_options = {
    "description": "Generative semantic communication of multi-view images",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
