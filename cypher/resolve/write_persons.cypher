// Purpose: keep people whose ids a run keeps up to date: their summary (record count, agencies, flags) set only
//          where it changed (a re-run where nothing changed writes nothing), and the copies of record values that
//          earlier versions stored on the node (the golden record, now computed on read) removed
// Parameters: $persons (list of {id, props: {record_count, sources, flags (absent: leave the stored flags)}})
UNWIND $persons AS person
MERGE (p:Person {id: person.id})
  ON CREATE SET p.created_at = datetime()
WITH p, person
WHERE coalesce(p.status, 'active') <> 'active'
   OR p.record_count IS NULL OR p.record_count <> person.props.record_count
   OR p.sources IS NULL OR p.sources <> person.props.sources
   OR (person.props.flags IS NOT NULL AND coalesce(p.flags, []) <> person.props.flags)
   OR any(legacy IN ['given_name', 'family_name', 'middle_names', 'dob', 'sex', 'current_address', 'aliases',
                     'provenance'] WHERE p[legacy] IS NOT NULL)
SET p += person.props, p.status = 'active', p.updated_at = datetime()
REMOVE p.given_name, p.family_name, p.middle_names, p.dob, p.sex, p.current_address, p.aliases, p.provenance
RETURN count(p) AS persons
