// Purpose: index Record.family_phonetic so that searchPeople finds candidates without scanning every record
// Parameters: none
CREATE INDEX api_record_family_phonetic IF NOT EXISTS FOR (n:Record) ON (n.family_phonetic)
