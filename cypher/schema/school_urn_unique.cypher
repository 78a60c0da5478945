// Purpose: schools are shared nodes, one per DfE URN
// Parameters: none
CREATE CONSTRAINT school_urn_unique IF NOT EXISTS FOR (s:School) REQUIRE s.urn IS UNIQUE
