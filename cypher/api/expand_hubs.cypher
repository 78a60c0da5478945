// Purpose: the people attached to shared addresses, phones, emails and schools (one network hop),
//          through which record; a node shared by more than $max_degree records (a hostel, a switchboard, a
//          placeholder) is reported as a hub and not expanded; degrees count relationships without looking at
//          the other end (only records hold these relationships), so they come from the store, not an expansion
// Parameters: $addresses, $phones, $emails, $schools (keys of each kind), $max_degree
CALL () {
  UNWIND $addresses AS key
  MATCH (n:Address {key: key})
  WITH n, key, COUNT { (n)<-[:HAS_ADDRESS]-() } AS degree
  OPTIONAL MATCH (n)<-[:HAS_ADDRESS]-(r:Record)-[:RESOLVES_TO]->(p:Person)
    WHERE degree <= $max_degree AND (n.placeholder IS NULL OR NOT n.placeholder)
  RETURN 'ADDRESS' AS kind, key, degree, p.id AS person_id, r.uid AS uid
  UNION ALL
  UNWIND $phones AS key
  MATCH (n:Phone {e164: key})
  WITH n, key, COUNT { (n)<-[:HAS_PHONE]-() } AS degree
  OPTIONAL MATCH (n)<-[:HAS_PHONE]-(r:Record)-[:RESOLVES_TO]->(p:Person) WHERE degree <= $max_degree
  RETURN 'PHONE' AS kind, key, degree, p.id AS person_id, r.uid AS uid
  UNION ALL
  UNWIND $emails AS key
  MATCH (n:Email {address: key})
  WITH n, key, COUNT { (n)<-[:HAS_EMAIL]-() } AS degree
  OPTIONAL MATCH (n)<-[:HAS_EMAIL]-(r:Record)-[:RESOLVES_TO]->(p:Person) WHERE degree <= $max_degree
  RETURN 'EMAIL' AS kind, key, degree, p.id AS person_id, r.uid AS uid
  UNION ALL
  UNWIND $schools AS key
  MATCH (n:School {urn: key})
  WITH n, key, COUNT { (n)<-[:ATTENDS]-() } AS degree
  OPTIONAL MATCH (n)<-[:ATTENDS]-(r:Record)-[:RESOLVES_TO]->(p:Person) WHERE degree <= $max_degree
  RETURN 'SCHOOL' AS kind, key, degree, p.id AS person_id, r.uid AS uid
}
RETURN kind, key, degree, person_id, uid
