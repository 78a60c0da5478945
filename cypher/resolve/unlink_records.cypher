// Purpose: drop the RESOLVES_TO link of each record whose person changes in this run (a record that stays with its
//          person keeps its link: a re-run used to delete and recreate every record's link, ~204,000 at 200k records);
//          each record found by its elementId, read by this run (a seek; its uid must match too, so an id that a
//          record deleted meanwhile left to a new one is never touched; compared as a list, as a plain equality
//          would be planned as a locking unique-index seek)
// Parameters: $records (list of [uid, elementId])
UNWIND $records AS record
MATCH (r:Record) WHERE elementId(r) = record[1] AND [r.uid] = [record[0]]
MATCH (r)-[x:RESOLVES_TO]->(:Person)
DELETE x
RETURN count(x) AS unlinked
