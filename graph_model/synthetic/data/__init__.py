"""Name lists, streets and towns for the synthetic data generator (all fictional or generic)."""
