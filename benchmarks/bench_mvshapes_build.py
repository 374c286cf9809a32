"""Wall time to render mvshapes objects into the cache (target: 10,000 at 32x32 in <= 2 min).

    python benchmarks/bench_mvshapes_build.py [--n 10000] [--size 32] [--workers 2]

Builds into a fresh temporary cache (so nothing is reused) and writes
results/datasets/build_benchmark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "results" / "datasets" / "build_benchmark.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        os.environ["SEMCOM_CACHE"] = cache
        from semcom.data import load_dataset

        start = time.perf_counter()
        ds = load_dataset("mvshapes", "train", size=args.size, n=args.n, workers=args.workers)
        seconds = time.perf_counter() - start
        file_mb = Path(ds.meta["cache_file"]).stat().st_size / 2**20
    result = {
        "benchmark": "mvshapes build (render + cache write)",
        "objects": args.n, "size": args.size, "views": ds.num_views, "workers": args.workers,
        "seconds": round(seconds, 2), "objects_per_second": round(args.n / seconds, 1),
        "target_seconds": 120, "cache_file_mb": round(file_mb, 1),
        "cpu_count": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
        "command": f"python benchmarks/bench_mvshapes_build.py --n {args.n} --size {args.size} --workers {args.workers}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
