// Purpose: candidate search for one record by phonetic surname (real-time resolution)
// Parameters: none
CREATE INDEX record_family_phonetic IF NOT EXISTS FOR (r:Record) ON (r.family_phonetic)
