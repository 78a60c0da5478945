"""Synthetic multi-agency safeguarding data with ground truth (entirely fake, deterministic per seed).

    from graph_model.synthetic import generate, write_demo_data
    for record, truth in generate(households=500, seed=1): ...
    write_demo_data(Path("/tmp/demo"), households=2000, seed=1)

``python -m graph_model.synthetic --households 200 --seed 1 --out /tmp/demo`` writes the files.
Rates of every hard case live in :mod:`graph_model.synthetic.rates`.
"""

from graph_model.synthetic.generator import DemoSummary, TruthRow, generate, generate_tagged, write_demo_data

__all__ = ["DemoSummary", "TruthRow", "generate", "generate_tagged", "write_demo_data"]
