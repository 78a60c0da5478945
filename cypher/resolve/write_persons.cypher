// Purpose: create or update active people with their summary (record count, agencies, flags); copies of record
//          values that earlier versions stored on the node (the golden record, now computed on read) are removed
// Parameters: $persons (list of {id, props})
UNWIND $persons AS person
MERGE (p:Person {id: person.id})
  ON CREATE SET p.created_at = datetime()
SET p += person.props, p.status = 'active', p.updated_at = datetime()
REMOVE p.given_name, p.family_name, p.middle_names, p.dob, p.sex, p.current_address, p.aliases, p.provenance
RETURN count(p) AS persons
