// Purpose: the named (non-stub) records with the features resolution compares, in one pass; identifiers
//          only when valid, addresses only when not placeholders (with the street and postcodes of addresses
//          that have no dwelling key); the person each resolves to now (if any)
// Parameters: $uids (list of record uids)
MATCH (r:Record) WHERE r.uid IN $uids AND r.stub IS NULL
RETURN r.uid AS uid, r.source AS source, r.given_norm AS given, r.given_canon AS given_canon,
       r.given_groups AS given_groups, r.middle_norm AS middle, r.family_norm AS family,
       r.family_parts AS family_parts, r.family_phonetic AS family_phonetic, r.dob AS dob, r.sex AS sex,
       r.recorded_at AS recorded_at,
       [(r)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
          | [a.key, a.postcode, a.other_postcode, h.from, h.to, h.current]] AS addresses,
       [(r)-[:HAS_PHONE]->(p:Phone) | [p.e164, p.kind]] AS phones,
       [(r)-[:HAS_EMAIL]->(e:Email) | e.address] AS emails,
       [(r)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]] AS identifiers,
       [(r)-[:ATTENDS]->(s:School) | s.urn] AS schools,
       [(r)-[rel:RELATED]-(o:Record) | [o.uid, rel.type, startNode(rel) = r]] AS related,
       r.street_address AS street_address, r.unkeyed_postcodes AS unkeyed_postcodes,
       [(r)-[:RESOLVES_TO]->(p:Person) | p.id][0] AS person_id
