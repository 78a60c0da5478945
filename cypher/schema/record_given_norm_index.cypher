// Purpose: name frequencies by normalised given name (term-frequency adjustment in real time)
// Parameters: none
CREATE INDEX record_given_norm IF NOT EXISTS FOR (r:Record) ON (r.given_norm)
