// Purpose: the people asked for by id, following merges and splits to the active successors, each with
//          every record and the values the sharing policy judges (source, marks, restriction flags) in one
//          pass; a requested id that was never a person yields no row (the record projection is shared with
//          api/household_bundles, api/network_start and api/person_household_counts)
// Parameters: $ids (person ids), $restricted_marker (text that marks a restricted record's extra JSON)
UNWIND $ids AS requested
MATCH (asked:Person {id: requested})
OPTIONAL MATCH (asked)-[:SUCCEEDED_BY*1..10]->(successor:Person)
  WHERE successor.status IS NULL OR successor.status = 'active'
WITH requested, asked, collect(DISTINCT successor) AS successors
WITH requested, asked, [s IN successors | s.id] AS successor_ids,
     CASE WHEN asked.status IS NULL OR asked.status = 'active' THEN [asked] ELSE successors END AS targets
UNWIND targets AS p
OPTIONAL MATCH (p)-[membership:MEMBER_OF]->(h:Household)
RETURN requested, coalesce(asked.status, 'active') AS requested_status, successor_ids,
       p.id AS id, p.record_count AS record_count, h.id AS household_id, membership.evidence AS household_evidence,
       EXISTS {
         MATCH (p)<-[:RESOLVES_TO]-(own:Record) WHERE own.extra CONTAINS $restricted_marker
       } AS restricted,
       EXISTS {
         MATCH (p)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(:Person)<-[:RESOLVES_TO]-(member:Record)
         WHERE member.extra CONTAINS $restricted_marker
       } AS household_restricted,
       // record projection: begin
       [(p)<-[:RESOLVES_TO]-(r:Record) | r {
       .uid, .source, .source_id, .given_name, .middle_names, .family_name, .dob, .sex, .recorded_at,
       .extra, .flags,
       mark: [(r)<-[:MARKS]-(m:SharingMark) | m {.kind, .contact, .agency, .at}][0],
       addresses: [(r)-[link:HAS_ADDRESS]->(a:Address) | a {
          .key, .display, .flat, .number, .building, .street, .town, .postcode, .uprn, .placeholder,
          from: link.from, to: link.to, current: link.current}],
       phones: [(r)-[:HAS_PHONE]->(phone:Phone) | phone {.e164, .kind}],
       emails: [(r)-[:HAS_EMAIL]->(email:Email) | email.address],
       identifiers: [(r)-[:HAS_IDENTIFIER]->(i:Identifier) | i {.scheme, .value, .valid}],
       schools: [(r)-[:ATTENDS]->(s:School) | s {.urn, .name}],
       related: [(r)-[rel:RELATED]-(other:Record) WHERE other.stub IS NULL | {
          uid: other.uid, source: other.source, type: rel.type, outgoing: startNode(rel) = r,
          person_id: [(other)-[:RESOLVES_TO]->(op:Person) | op.id][0]}]
    }]
       // record projection: end
       AS records
