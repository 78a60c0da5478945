// Purpose: what a real-time resolve reads first, in one round trip: the record and its candidate records, each as
//          resolution's feature row (the columns of resolve/fetch_records_by_uid, with the person it resolves to
//          now); how many records carry each of their given names and surnames (but those in $known_counts), and
//          how many records there are (term frequencies); the steward decisions about the record. Candidates share a key of a full run's
//          blocking rule with the record, and, as there, a key held by more records than the rule's cap is a
//          super-node, not evidence, and gives none: a valid identifier, mobile, email, address (not a
//          placeholder) or landline node; surname sound and birth year; date of birth and the given name's, the
//          surname's or both initials (either order); surname and a given-name group
// Parameters: $uid, $caps (map of rule name -> most records a key may hold), $limit, $known_counts (map: givens,
//             families, each a map of name -> records the caller knows already)
MATCH (r:Record {uid: $uid})
WHERE r.stub IS NULL
CALL (r) {
  MATCH (r)-[:HAS_IDENTIFIER|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(n)
  WHERE coalesce(n.valid, true) AND NOT coalesce(n.placeholder, false)
    AND COUNT { (n)<-[]-(:Record) } <= CASE WHEN n:Identifier THEN $caps.identifier WHEN n:Email THEN $caps.email
                                            WHEN n:Address THEN $caps.address WHEN n.kind = 'mobile' THEN $caps.mobile
                                            ELSE $caps.landline END
  MATCH (n)<-[:HAS_IDENTIFIER|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(o:Record)
  WHERE o <> r AND o.stub IS NULL
  RETURN o
  UNION
  MATCH (o:Record)
  WHERE o.family_phonetic = r.family_phonetic AND o.dob STARTS WITH left(r.dob, 4) AND o.stub IS NULL
  WITH r, collect(o) AS block
  WHERE size(block) <= $caps.phonetic_surname_birth_year
  UNWIND block AS o
  WITH r, o WHERE o <> r
  RETURN o
  UNION
  MATCH (o:Record {dob: r.dob})
  WHERE size(r.dob) = 10 AND o.stub IS NULL
  WITH r, collect(o) AS same_day
  WITH r, [o IN same_day WHERE left(o.given_norm, 1) = left(r.given_norm, 1)] AS by_given,
       [o IN same_day WHERE left(o.family_norm, 1) = left(r.family_norm, 1)] AS by_family,
       [o IN same_day WHERE (left(o.given_norm, 1) = left(r.given_norm, 1) AND left(o.family_norm, 1) = left(r.family_norm, 1))
                         OR (left(o.given_norm, 1) = left(r.family_norm, 1) AND left(o.family_norm, 1) = left(r.given_norm, 1))] AS by_initials
  UNWIND (CASE WHEN size(by_given) <= $caps.dob_initial THEN by_given ELSE [] END
          + CASE WHEN size(by_family) <= $caps.dob_surname_initial THEN by_family ELSE [] END
          + CASE WHEN size(by_initials) <= $caps.dob_initials_any_order THEN by_initials ELSE [] END) AS o
  WITH r, o WHERE o <> r
  RETURN o
  UNION
  UNWIND r.given_groups AS g
  MATCH (o:Record {family_norm: r.family_norm})
  WHERE g IN o.given_groups AND o.stub IS NULL
  WITH r, g, collect(o) AS block
  WHERE size(block) <= $caps.given_canonical_surname
  UNWIND block AS o
  WITH r, o WHERE o <> r
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
     uid: x.uid, source: x.source, given: x.given_norm,
     given_canon: x.given_canon, given_groups: x.given_groups, middle: x.middle_norm, family: x.family_norm,
     family_parts: x.family_parts, family_phonetic: x.family_phonetic, dob: x.dob, sex: x.sex,
     recorded_at: x.recorded_at,
     addresses: [(x)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
                 | [a.key, a.postcode, a.other_postcode, h.from, h.to, h.current]],
     street_address: x.street_address, unkeyed_postcodes: x.unkeyed_postcodes,
     phones: [(x)-[:HAS_PHONE]->(p:Phone) | [p.e164, p.kind]],
     emails: [(x)-[:HAS_EMAIL]->(e:Email) | e.address],
     identifiers: [(x)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]],
     schools: [(x)-[:ATTENDS]->(s:School) | s.urn],
     related: [(x)-[rel:RELATED]-(o:Record) | [o.uid, rel.type, startNode(rel) = x]],
     person_id: [(x)-[:RESOLVES_TO]->(p:Person) | p.id][0]}] AS rows,
  [name IN givens WHERE $known_counts.givens[name] IS NULL
   | [name, COUNT { MATCH (g:Record {given_norm: name}) }]] AS given_counts,
  [name IN families WHERE $known_counts.families[name] IS NULL
   | [name, COUNT { MATCH (f:Record {family_norm: name}) }]] AS family_counts,
  COUNT { MATCH (counted:Record) } AS records,
  [(r)<-[:ABOUT]-(d:StewardDecision {active: true}) | {id: d.id, kind: d.kind,
                                                       uids: [(d)-[:ABOUT]->(x:Record) | x.uid]}] AS decisions
