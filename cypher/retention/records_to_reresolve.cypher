// Purpose: one remaining record of each person who lost records, and of each of their household's other
//          members (re-resolving these re-forms the people and their households from what remains)
// Parameters: $person_ids (people who lost records)
UNWIND $person_ids AS id
MATCH (p:Person {id: id})
OPTIONAL MATCH (p)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(mate:Person)
WITH collect(DISTINCT p) + collect(DISTINCT mate) AS people
UNWIND people AS person
WITH DISTINCT person
MATCH (person)<-[:RESOLVES_TO]-(r:Record)
RETURN person.id AS person_id, min(r.uid) AS uid
ORDER BY person_id
