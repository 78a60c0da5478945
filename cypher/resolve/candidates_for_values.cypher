// Purpose: candidate records for a record that is not stored (matchRecord), in one round trip: records sharing
//          one of its identifier, phone, email or address nodes (skipping super-nodes with more than $cap records,
//          invalid identifiers and placeholder addresses) or its name/date keys, resolved to a person, each as
//          resolution's feature row (the columns of resolve/fetch_records_by_uid, with its person); how many
//          records carry each given name and surname of the record and of the candidates, and how many records
//          there are (term frequencies)
// Parameters: $identifiers, $phones, $emails, $addresses (node keys), $family_phonetic, $dob, $family_norm,
//             $given_groups, $given_norm, $cap, $limit
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
WITH o, p
LIMIT $limit
WITH collect(o {
       .uid, .source, given_raw: o.given_name, family_raw: o.family_name, given: o.given_norm,
       given_canon: o.given_canon, given_groups: o.given_groups, middle: o.middle_norm, family: o.family_norm,
       family_parts: o.family_parts, family_phonetic: o.family_phonetic, dob: o.dob, sex: o.sex,
       recorded_at: o.recorded_at,
       addresses: [(o)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
                   | {key: a.key, postcode: a.postcode, from: h.from, to: h.to, current: h.current}],
       phones: [(o)-[:HAS_PHONE]->(ph:Phone) | [ph.e164, ph.kind]],
       emails: [(o)-[:HAS_EMAIL]->(e:Email) | e.address],
       identifiers: [(o)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]],
       schools: [(o)-[:ATTENDS]->(s:School) | s.urn],
       related: [(o)-[rel:RELATED]-(other:Record) | [other.uid, rel.type, startNode(rel) = o]],
       person_id: p.id}) AS rows,
     collect(o.given_norm) AS candidate_givens, collect(o.family_norm) AS candidate_families
WITH rows,
     reduce(names = [], name IN [$given_norm] + candidate_givens |
            CASE WHEN name IS NULL OR name IN names THEN names ELSE names + name END) AS givens,
     reduce(names = [], name IN [$family_norm] + candidate_families |
            CASE WHEN name IS NULL OR name IN names THEN names ELSE names + name END) AS families
RETURN rows,
  [name IN givens | [name, COUNT { MATCH (g:Record {given_norm: name}) }]] AS given_counts,
  [name IN families | [name, COUNT { MATCH (f:Record {family_norm: name}) }]] AS family_counts,
  COUNT { MATCH (counted:Record) } AS records
