// Purpose: candidate records for a record that is not stored (matchRecord): records sharing one of its
//          identifier, phone, email or address nodes (skipping super-nodes with more than $cap records,
//          invalid identifiers and placeholder addresses) or its name/date keys, with their people
// Parameters: $identifiers, $phones, $emails, $addresses (node keys), $family_phonetic, $dob, $family_norm,
//             $given_groups, $cap, $limit
CALL () {
  UNWIND $identifiers AS key
  MATCH (n:Identifier {key: key})<-[:HAS_IDENTIFIER]-(o:Record)
  WHERE n.valid AND COUNT { (n)<-[:HAS_IDENTIFIER]-(:Record) } <= $cap
  RETURN o
  UNION
  UNWIND $phones AS key
  MATCH (n:Phone {e164: key})<-[:HAS_PHONE]-(o:Record)
  WHERE COUNT { (n)<-[:HAS_PHONE]-(:Record) } <= $cap
  RETURN o
  UNION
  UNWIND $emails AS key
  MATCH (n:Email {address: key})<-[:HAS_EMAIL]-(o:Record)
  WHERE COUNT { (n)<-[:HAS_EMAIL]-(:Record) } <= $cap
  RETURN o
  UNION
  UNWIND $addresses AS key
  MATCH (n:Address {key: key})<-[:HAS_ADDRESS]-(o:Record)
  WHERE NOT coalesce(n.placeholder, false) AND COUNT { (n)<-[:HAS_ADDRESS]-(:Record) } <= $cap
  RETURN o
  UNION
  MATCH (o:Record {family_phonetic: $family_phonetic})
  WHERE left(o.dob, 4) = left($dob, 4)
  RETURN o
  UNION
  MATCH (o:Record {dob: $dob})
  WHERE size($dob) = 10
  RETURN o
  UNION
  MATCH (o:Record {family_norm: $family_norm})
  WHERE any(g IN o.given_groups WHERE g IN $given_groups)
  RETURN o
}
WITH DISTINCT o
WHERE o.stub IS NULL
MATCH (o)-[:RESOLVES_TO]->(p:Person)
RETURN o.uid AS uid, p.id AS person_id
LIMIT $limit
