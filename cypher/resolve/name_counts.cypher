// Purpose: how many records carry each of the given names and surnames, and how many records there are
//          (term-frequency adjustment in real time, without scanning every record)
// Parameters: $givens, $families
CALL () {
  UNWIND $givens AS name
  RETURN collect([name, COUNT { MATCH (g:Record {given_norm: name}) }]) AS given_counts
}
CALL () {
  UNWIND $families AS name
  RETURN collect([name, COUNT { MATCH (f:Record {family_norm: name}) }]) AS family_counts
}
RETURN given_counts, family_counts, COUNT { MATCH (r:Record) } AS records
