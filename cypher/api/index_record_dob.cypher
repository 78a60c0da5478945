// Purpose: index Record.dob so that searchPeople finds candidates without scanning every record
// Parameters: none
CREATE INDEX api_record_dob IF NOT EXISTS FOR (n:Record) ON (n.dob)
