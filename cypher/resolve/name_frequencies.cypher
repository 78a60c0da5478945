// Purpose: how many records carry each normalised given and family name (term-frequency adjustment)
// Parameters: none
MATCH (r:Record) WHERE r.stub IS NULL
RETURN r.given_norm AS given, r.family_norm AS family, count(*) AS records
