// Purpose: how many (non-stub) records each agency has, for load summaries
// Parameters: none
MATCH (r:Record) WHERE r.stub IS NULL
RETURN r.source AS source, count(r) AS records
ORDER BY source
