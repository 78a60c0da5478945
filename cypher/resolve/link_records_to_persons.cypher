// Purpose: (:Record)-[:RESOLVES_TO]->(:Person) for each record's person
// Parameters: $links (list of {uid, person_id})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid}), (p:Person {id: link.person_id})
CREATE (r)-[:RESOLVES_TO]->(p)
RETURN count(*) AS links
