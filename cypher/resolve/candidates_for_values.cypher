// Purpose: candidate records for a record that is not stored (matchRecord), in one round trip, with the keys and
//          caps of resolve/incremental_candidates (a key's records counted with the record itself, as if it were
//          stored): records sharing one of its valid identifier, mobile, email, address (not a placeholder) or
//          landline nodes, its surname sound and birth year, its date of birth and an initial, or its surname and a
//          given-name group, resolved to a person, each as resolution's feature row (the columns of
//          resolve/fetch_records_by_uid, with its person); how many records carry each given name and surname of
//          the record and of the candidates (but those in known_counts), and how many records there are (term
//          frequencies)
// Parameters: $input, one map of: identifiers, phones, emails, addresses (node keys), family_phonetic, dob,
//             family_norm, given_groups, given_norm, caps (map of rule name -> most records a key may hold), limit,
//             known_counts (map: givens, families, each a map of name -> records the caller knows already)
//             (one map: Neo4j plans a statement again for every size class of a list parameter, half a
//             second each, and a push's lists vary in size; lists inside a map do not count)
CALL () {
  UNWIND $input.identifiers AS key
  MATCH (n:Identifier {key: key})
  WHERE n.valid AND COUNT { (n)<-[:HAS_IDENTIFIER]-(:Record) } + 1 <= $input.caps.identifier
  MATCH (n)<-[:HAS_IDENTIFIER]-(o:Record)
  RETURN o
  UNION
  UNWIND $input.phones AS key
  MATCH (n:Phone {e164: key})
  WHERE COUNT { (n)<-[:HAS_PHONE]-(:Record) } + 1 <= CASE n.kind WHEN 'mobile' THEN $input.caps.mobile ELSE $input.caps.landline END
  MATCH (n)<-[:HAS_PHONE]-(o:Record)
  RETURN o
  UNION
  UNWIND $input.emails AS key
  MATCH (n:Email {address: key})
  WHERE COUNT { (n)<-[:HAS_EMAIL]-(:Record) } + 1 <= $input.caps.email
  MATCH (n)<-[:HAS_EMAIL]-(o:Record)
  RETURN o
  UNION
  UNWIND $input.addresses AS key
  MATCH (n:Address {key: key})
  WHERE NOT coalesce(n.placeholder, false) AND COUNT { (n)<-[:HAS_ADDRESS]-(:Record) } + 1 <= $input.caps.address
  MATCH (n)<-[:HAS_ADDRESS]-(o:Record)
  RETURN o
  UNION
  MATCH (o:Record)
  WHERE o.family_phonetic = $input.family_phonetic AND o.dob STARTS WITH left($input.dob, 4) AND o.stub IS NULL
  WITH collect(o) AS block
  WHERE size(block) + 1 <= $input.caps.phonetic_surname_birth_year
  UNWIND block AS o
  RETURN o
  UNION
  MATCH (o:Record {dob: $input.dob})
  WHERE size($input.dob) = 10 AND o.stub IS NULL
  WITH collect(o) AS same_day, left($input.given_norm, 1) AS gi, left($input.family_norm, 1) AS fi
  WITH [o IN same_day WHERE left(o.given_norm, 1) = gi] AS by_given,
       [o IN same_day WHERE left(o.family_norm, 1) = fi] AS by_family,
       [o IN same_day WHERE (left(o.given_norm, 1) = gi AND left(o.family_norm, 1) = fi)
                         OR (left(o.given_norm, 1) = fi AND left(o.family_norm, 1) = gi)] AS by_initials
  UNWIND (CASE WHEN size(by_given) + 1 <= $input.caps.dob_initial THEN by_given ELSE [] END
          + CASE WHEN size(by_family) + 1 <= $input.caps.dob_surname_initial THEN by_family ELSE [] END
          + CASE WHEN size(by_initials) + 1 <= $input.caps.dob_initials_any_order THEN by_initials ELSE [] END) AS o
  RETURN o
  UNION
  UNWIND $input.given_groups AS g
  MATCH (o:Record {family_norm: $input.family_norm})
  WHERE g IN o.given_groups AND o.stub IS NULL
  WITH g, collect(o) AS block
  WHERE size(block) + 1 <= $input.caps.given_canonical_surname
  UNWIND block AS o
  RETURN o
}
WITH DISTINCT o
WHERE o.stub IS NULL
MATCH (o)-[:RESOLVES_TO]->(p:Person)
WITH o, p
LIMIT $input.limit
WITH collect(o {
       .uid, .source, given: o.given_norm,
       given_canon: o.given_canon, given_groups: o.given_groups, middle: o.middle_norm, family: o.family_norm,
       family_parts: o.family_parts, family_phonetic: o.family_phonetic, dob: o.dob, sex: o.sex,
       recorded_at: o.recorded_at,
       addresses: [(o)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
                   | [a.key, a.postcode, a.other_postcode, h.from, h.to, h.current]],
       street_address: o.street_address, unkeyed_postcodes: o.unkeyed_postcodes,
       phones: [(o)-[:HAS_PHONE]->(ph:Phone) | [ph.e164, ph.kind]],
       emails: [(o)-[:HAS_EMAIL]->(e:Email) | e.address],
       identifiers: [(o)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]],
       schools: [(o)-[:ATTENDS]->(s:School) | s.urn],
       related: [(o)-[rel:RELATED]-(other:Record) | [other.uid, rel.type, startNode(rel) = o]],
       person_id: p.id}) AS rows,
     collect(o.given_norm) AS candidate_givens, collect(o.family_norm) AS candidate_families
WITH rows,
     reduce(names = [], name IN [$input.given_norm] + candidate_givens |
            CASE WHEN name IS NULL OR name IN names THEN names ELSE names + name END) AS givens,
     reduce(names = [], name IN [$input.family_norm] + candidate_families |
            CASE WHEN name IS NULL OR name IN names THEN names ELSE names + name END) AS families
RETURN rows,
  [name IN givens WHERE $input.known_counts.givens[name] IS NULL
   | [name, COUNT { MATCH (g:Record {given_norm: name}) }]] AS given_counts,
  [name IN families WHERE $input.known_counts.families[name] IS NULL
   | [name, COUNT { MATCH (f:Record {family_norm: name}) }]] AS family_counts,
  COUNT { MATCH (counted:Record) } AS records
