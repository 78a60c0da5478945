"""What the full run's blocking rules that real-time resolution does not query add, on synthetic data.

    .venv/bin/python bench/realtime_blocking_gap.py [--households 20000] [--seed 1]

Real-time resolution (resolvers/incremental.py) finds a pushed record's candidates with the graph's indexes and
leaves out the rules in ``RULES_WITHOUT_REAL_TIME_CANDIDATES``. This counts, without a database, the pairs a full
run would link (the shipped default model, the default link threshold, no cannot-link) that only those rules find:
the links a push would miss until the next full run, and how many of them are true matches by the generator's
truth. Prints counts only; writes ``bench/results/realtime-blocking-gap-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import write_result
from graph_model.synthetic.generator import generate
from resolvers.blocking import BLOCKING_RULES, candidate_pairs
from resolvers.features import features_from_record
from resolvers.incremental import RULES_WITHOUT_REAL_TIME_CANDIDATES
from resolvers.model import LinkageModel
from resolvers.pipeline import DEFAULT_MODEL, ResolveOptions
from resolvers.scoring import cannot_link_codes, compute_levels, enabled_inferences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()

    records, people = [], []
    for record, truth in generate(args.households, seed=args.seed):
        records.append(record)
        people.append(truth.person_id)
    features = [features_from_record(record) for record in records]
    pairs, masks, _report = candidate_pairs(features)
    levels = compute_levels(features, pairs)
    model = LinkageModel.load(DEFAULT_MODEL)
    weights = model.score_levels(levels) + model.tf_adjustments(features, pairs, levels)
    linked = (weights >= ResolveOptions().link_threshold) & (cannot_link_codes(levels, enabled_inferences(model)) == 0)

    rule_masks = masks.astype(np.int64)
    left_out = sum(1 << bit for bit, rule in enumerate(BLOCKING_RULES) if rule.name in RULES_WITHOUT_REAL_TIME_CANDIDATES)
    only_left_out = linked & ((rule_masks & ~left_out) == 0)
    true_pair = np.array([people[i] == people[j] for i, j in pairs.tolist()], dtype=bool)
    by_rule = {rule.name: int((linked & (rule_masks == 1 << bit)).sum())
               for bit, rule in enumerate(BLOCKING_RULES) if rule.name in RULES_WITHOUT_REAL_TIME_CANDIDATES}
    result = {
        "households": args.households, "seed": args.seed, "records": len(features), "candidate_pairs": len(pairs),
        "links": int(linked.sum()), "true_links": int((linked & true_pair).sum()),
        "links_only_left_out_rules_find": int(only_left_out.sum()),
        "true_links_only_left_out_rules_find": int((only_left_out & true_pair).sum()),
        "links_by_one_left_out_rule_alone": by_rule, "rules_left_out": sorted(RULES_WITHOUT_REAL_TIME_CANDIDATES),
        "seconds": round(time.perf_counter() - started, 1),
    }
    for key, value in result.items():
        print(f"{key:<40} {value}")
    print(f"wrote {write_result('realtime-blocking-gap', result)}")


if __name__ == "__main__":
    main()
