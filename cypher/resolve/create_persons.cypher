// Purpose: create people whose ids a full resolve has just minted (no node can hold them yet, so
//          CREATE without a lookup), with their golden record, and link their records to them in the
//          same statement
// Parameters: $persons (list of {id, props, uids})
UNWIND $persons AS person
CREATE (p:Person {id: person.id})
SET p += person.props, p.status = 'active', p.created_at = datetime(), p.updated_at = datetime()
WITH p, person
UNWIND person.uids AS uid
MATCH (r:Record {uid: uid})
CREATE (r)-[:RESOLVES_TO]->(p)
RETURN count(*) AS links
