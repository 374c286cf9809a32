"""Read the project's plain-text docstrings as reStructuredText without tripping docutils.

The docstrings follow the Sionna style of aligned ``name: description`` lines with hanging
indents, and write maths in plain text (``|h|^2``, ``E[x_0 | x_t]``, ``f(x, *, y)``). Read as
reST, those give "Unexpected indentation", "Undefined substitution" and "Inline emphasis"
errors. This hook (``autodoc-process-docstring``) changes nothing in the source; outside
literal blocks, doctests and inline literals it

* escapes ``|`` (reST substitution references are not used in docstrings) and a ``*`` directly
  followed by ``,`` or ``)`` (a keyword-only marker, never emphasis);
* turns a paragraph of aligned lines with hanging indents (several lines at the paragraph's
  indent and some indented further) into a reST line block, which keeps the line breaks and
  the hanging indents, roles included;
* resolves ``:mod:`.name``` as a sibling module of the docstring's module (like a relative
  import) when that module exists, instead of letting Sphinx search every ``*.name``.
"""

from __future__ import annotations

import importlib.util
import re

_LITERAL = re.compile(r"(``.+?``)")
_STAR = re.compile(r"(?<![\\*])\*(?=[,)])")
_LIST = re.compile(r"^(\*|-|\+|#\.|\d+[.)]|\(\d+\)|\.\.|>>>|:\w[^:]*:)(\s|$)")
_REL_MOD = re.compile(r":mod:`(~?)\.(\w+)`")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _escape(line: str) -> str:
    parts = _LITERAL.split(line)
    for i in range(0, len(parts), 2):  # even parts are outside ``literals``
        parts[i] = _STAR.sub(r"\\*", parts[i].replace("|", r"\|"))
    return "".join(parts)


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every run of non-blank lines."""
    runs, start = [], None
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            runs.append((start, i))
            start = None
    return runs


def fix_lines(lines: list[str], module: str | None = None) -> list[str]:
    out = list(lines)
    literal_indent: int | None = None  # inside a literal block / directive indented deeper
    for start, end in _paragraphs(lines):
        base = _indent(lines[start])
        if literal_indent is not None:
            if base > literal_indent:
                continue
            literal_indent = None
        first = lines[start].strip()
        if first.startswith((">>>", ".. ")):
            literal_indent = base if first.startswith(".. ") else None
            continue
        if lines[end - 1].rstrip().endswith("::"):
            literal_indent = base
        run = [_escape(line) for line in lines[start:end]]
        if module:
            run = [_relative_mod(line, module) for line in run]
        indents = [_indent(line) for line in lines[start:end]]
        at_base = sum(1 for i in indents if i == base)
        if (
            at_base > 1 and any(i > base for i in indents) and min(indents) == base
            and not _LIST.match(first) and not lines[end - 1].rstrip().endswith("::")
        ):
            run = [" " * base + "| " + line[base:] for line in run]
        out[start:end] = run
    return out


def _relative_mod(line: str, module: str) -> str:
    package = module.rpartition(".")[0]

    def resolve(match: re.Match) -> str:
        name = f"{package}.{match.group(2)}"
        try:
            found = package and importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        return f":mod:`{match.group(1)}{name}`" if found else match.group(0)

    return _REL_MOD.sub(resolve, line)


def _module_of(what: str, name: str, obj: object) -> str | None:
    if what == "module":
        return name
    return getattr(obj, "__module__", None)


def process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    lines[:] = fix_lines(lines, _module_of(what, name, obj))


def setup(app) -> dict[str, object]:
    app.connect("autodoc-process-docstring", process_docstring)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
