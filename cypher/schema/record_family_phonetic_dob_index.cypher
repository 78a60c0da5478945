// Purpose: real-time resolution's surname sound + birth year candidates (a full run's blocking key) in one index
//          seek (equality on the sound, prefix on the date), instead of reading every record of a common sound
// Parameters: none
CREATE INDEX record_family_phonetic_dob IF NOT EXISTS FOR (r:Record) ON (r.family_phonetic, r.dob)
