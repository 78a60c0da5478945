// Purpose: candidate search and name frequencies by normalised surname (real-time resolution)
// Parameters: none
CREATE INDEX record_family_norm IF NOT EXISTS FOR (r:Record) ON (r.family_norm)
