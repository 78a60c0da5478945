// Purpose: (:Record)-[:RESOLVES_TO]->(:Person) for each record's person; each record found by its elementId,
//          read by this run (a seek; its uid must match too, so an id that a record deleted meanwhile left to a
//          new one is never linked; compared as a list, as a plain equality would be planned as a locking
//          unique-index seek again)
// Parameters: $links (list of {uid, element_id, person_id})
UNWIND $links AS link
MATCH (r:Record) WHERE elementId(r) = link.element_id AND [r.uid] = [link.uid]
MATCH (p:Person {id: link.person_id})
CREATE (r)-[:RESOLVES_TO]->(p)
RETURN count(*) AS links
