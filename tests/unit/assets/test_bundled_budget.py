"""The bundled model weights stay within the product's 40 MB budget and are all safetensors."""

from pathlib import Path

import semcom

BUNDLED = Path(semcom.__file__).parent / "assets" / "bundled"
BUDGET_BYTES = 40_000_000  # the product brief: bundled weights together at most 40 MB


def test_bundled_weights_fit_the_budget_and_are_safetensors():
    weights = [p for p in BUNDLED.rglob("*") if p.is_file() and p.suffix not in (".json", ".md")]
    assert weights, f"no bundled weights under {BUNDLED}"
    assert {p.suffix for p in weights} == {".safetensors"}, "weights must be safetensors, never pickles"
    for path in weights:
        assert path.read_bytes()[8:9] == b"{", f"{path} is not a safetensors file"
    total = sum(p.stat().st_size for p in weights)
    assert total <= BUDGET_BYTES, f"bundled weights take {total / 1e6:.1f} MB > {BUDGET_BYTES / 1e6:.0f} MB"
