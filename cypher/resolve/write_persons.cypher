// Purpose: create or update active people with their golden record (summary fields + JSON provenance)
// Parameters: $persons (list of {id, props})
UNWIND $persons AS person
MERGE (p:Person {id: person.id})
  ON CREATE SET p.created_at = datetime()
SET p += person.props, p.status = 'active', p.updated_at = datetime()
RETURN count(p) AS persons
