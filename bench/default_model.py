"""Re-estimate the shipped default model (resolvers/data/default_model.json) from synthetic records.

    .venv/bin/python bench/default_model.py [--households 5000] [--seed 11]

Resolution falls back to the shipped model when a graph holds too few records to estimate one
(``resolvers.pipeline.MIN_RECORDS_TO_TRAIN``). Run this whenever the comparisons or their levels change
(a model whose levels do not match is refused on load). No database: the synthetic records go through
the ingest normalisation (``resolvers.features.features_from_record``), then the same blocking, levels
and estimation (``LinkageModel.estimate``) as ``mashgraph resolve --retrain``. Prints counts only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from graph_model.synthetic import generate
from resolvers.blocking import candidate_pairs
from resolvers.features import features_from_record
from resolvers.model import LinkageModel
from resolvers.pipeline import DEFAULT_MODEL
from resolvers.scoring import compute_levels
from resolvers.vectorised import EncodedRecords


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    features = sorted((features_from_record(record) for record, _truth in generate(args.households, args.seed)),
                      key=lambda f: f.uid)
    pairs, _masks, _report = candidate_pairs(features)
    encoded = EncodedRecords(features)
    levels = compute_levels(features, pairs, encoded=encoded)
    model = LinkageModel.estimate(features, levels, encoded)
    model.trained_on["data"] = f"synthetic multi-agency, {args.households} households, seed {args.seed}"
    model.save(args.out)
    print(f"{len(features)} records, {len(pairs)} candidate pairs; m: {model.trained_on['m_method']}; wrote {args.out}")


if __name__ == "__main__":
    main()
