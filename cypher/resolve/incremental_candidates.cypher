// Purpose: what a real-time resolve reads first, in one round trip: the record and its candidate records (shared
//          identifier nodes, skipping super-nodes with more than $cap records, invalid identifiers and placeholder
//          addresses; shared name/date keys), each as resolution's feature row (the columns of
//          resolve/fetch_records_by_uid, with the person it resolves to now); how many records carry each of their
//          given names and surnames, and how many records there are (term frequencies); the steward decisions
//          about the record
// Parameters: $uid, $cap, $limit
MATCH (r:Record {uid: $uid})
WHERE r.stub IS NULL
CALL (r) {
  MATCH (r)-[:HAS_IDENTIFIER|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(n)<-[:HAS_IDENTIFIER|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(o:Record)
  WHERE o <> r AND o.stub IS NULL AND coalesce(n.valid, true) AND NOT coalesce(n.placeholder, false)
    AND COUNT { (n)<-[]-(:Record) } <= $cap
  RETURN o
  UNION
  MATCH (o:Record {family_phonetic: r.family_phonetic})
  WHERE o <> r AND o.stub IS NULL AND left(o.dob, 4) = left(r.dob, 4)
  RETURN o
  UNION
  MATCH (o:Record {dob: r.dob})
  WHERE o <> r AND o.stub IS NULL AND size(r.dob) = 10
  RETURN o
  UNION
  MATCH (o:Record {family_norm: r.family_norm})
  WHERE o <> r AND o.stub IS NULL AND any(g IN o.given_groups WHERE g IN r.given_groups)
  RETURN o
  UNION
  // The record itself, so that a record without candidates still gives its row.
  RETURN r AS o
}
WITH r, collect(o) AS found
WITH r, [r] + [o IN found WHERE o <> r][..$limit] AS everyone
WITH r, everyone,
     reduce(names = [], x IN everyone | CASE WHEN x.given_norm IS NULL OR x.given_norm IN names THEN names
                                             ELSE names + x.given_norm END) AS givens,
     reduce(names = [], x IN everyone | CASE WHEN x.family_norm IS NULL OR x.family_norm IN names THEN names
                                             ELSE names + x.family_norm END) AS families
RETURN
  [x IN everyone | {
     uid: x.uid, source: x.source, given_raw: x.given_name, family_raw: x.family_name, given: x.given_norm,
     given_canon: x.given_canon, given_groups: x.given_groups, middle: x.middle_norm, family: x.family_norm,
     family_parts: x.family_parts, family_phonetic: x.family_phonetic, dob: x.dob, sex: x.sex,
     recorded_at: x.recorded_at,
     addresses: [(x)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
                 | {key: a.key, postcode: a.postcode, from: h.from, to: h.to, current: h.current}],
     phones: [(x)-[:HAS_PHONE]->(p:Phone) | [p.e164, p.kind]],
     emails: [(x)-[:HAS_EMAIL]->(e:Email) | e.address],
     identifiers: [(x)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]],
     schools: [(x)-[:ATTENDS]->(s:School) | s.urn],
     related: [(x)-[rel:RELATED]-(o:Record) | [o.uid, rel.type, startNode(rel) = x]],
     person_id: [(x)-[:RESOLVES_TO]->(p:Person) | p.id][0]}] AS rows,
  [name IN givens | [name, COUNT { MATCH (g:Record {given_norm: name}) }]] AS given_counts,
  [name IN families | [name, COUNT { MATCH (f:Record {family_norm: name}) }]] AS family_counts,
  COUNT { MATCH (counted:Record) } AS records,
  [(r)<-[:ABOUT]-(d:StewardDecision {active: true}) | {id: d.id, kind: d.kind,
                                                       uids: [(d)-[:ABOUT]->(x:Record) | x.uid]}] AS decisions
