// Purpose: the scored links between the records of each person: why they were merged (match weight in
//          bits, probability, per-comparison explanation, stored as resolvers/link_evidence.py encodes it, blocking rules, any cannot-link)
// Parameters: $ids (person ids)
UNWIND $ids AS pid
MATCH (p:Person {id: pid})<-[:RESOLVES_TO]-(a:Record)-[s:SIMILAR_TO]->(b:Record)-[:RESOLVES_TO]->(p)
RETURN pid AS person_id, a.uid AS a, b.uid AS b, s.weight AS weight, s.probability AS probability,
       s.explanation AS explanation, s.rules AS rules, s.cannot_link AS cannot_link
ORDER BY pid, s.weight DESC, a.uid, b.uid
