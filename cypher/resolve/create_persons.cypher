// Purpose: create people whose ids a full resolve has just minted (no node can hold them yet, so
//          CREATE without a lookup), with their summary (record count, agencies, flags), and link their records
//          to them in the same statement; each record found by its elementId, read by this run (a seek; its uid must match too,
//          so an id that a record deleted meanwhile left to a new one is never linked; compared as a list, as a
//          plain equality would be planned as a locking unique-index seek again)
// Parameters: $persons (list of {id, props, records: list of [uid, elementId]})
UNWIND $persons AS person
CREATE (p:Person {id: person.id})
SET p += person.props, p.status = 'active', p.created_at = datetime(), p.updated_at = datetime()
WITH p, person
UNWIND person.records AS record
MATCH (r:Record) WHERE elementId(r) = record[1] AND [r.uid] = [record[0]]
CREATE (r)-[:RESOLVES_TO]->(p)
RETURN count(*) AS links
