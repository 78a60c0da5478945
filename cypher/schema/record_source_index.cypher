// Purpose: find records of one agency quickly (per-source counts, exports)
// Parameters: none
CREATE INDEX record_source IF NOT EXISTS FOR (r:Record) ON (r.source)
