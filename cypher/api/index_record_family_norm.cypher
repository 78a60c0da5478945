// Purpose: index Record.family_norm so that searchPeople finds candidates without scanning every record
// Parameters: none
CREATE INDEX api_record_family_norm IF NOT EXISTS FOR (n:Record) ON (n.family_norm)
