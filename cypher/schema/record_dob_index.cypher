// Purpose: candidate search for one record by date of birth (real-time resolution)
// Parameters: none
CREATE INDEX record_dob IF NOT EXISTS FOR (r:Record) ON (r.dob)
