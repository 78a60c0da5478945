"""``python -m graph_model.synthetic --households 200 --seed 1 --out /tmp/demo``: write demo data files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph_model.synthetic.generator import write_demo_data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph_model.synthetic",
        description="Write synthetic multi-agency records (one JSONL file per agency), truth.csv and "
        "housing_tenancies.csv. Entirely fake data; the same seed gives the same files.",
    )
    parser.add_argument("--households", type=int, default=200, help="number of households (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write to (created if missing)")
    args = parser.parse_args(argv)
    if args.households < 0:
        parser.error("--households must be zero or more")
    summary = write_demo_data(args.out, args.households, args.seed)
    print(f"wrote {summary} to {summary.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
