// Purpose: delete shared values (addresses, phones, emails, identifiers) that no record or household
//          refers to any more, and stub records no relationship points to (after records were erased)
// Parameters: none
CALL () {
  MATCH (n:Address) WHERE NOT (n)<-[:HAS_ADDRESS]-() AND NOT (n)<-[:AT]-()
  RETURN n
  UNION
  MATCH (n:Phone) WHERE NOT (n)<-[:HAS_PHONE]-()
  RETURN n
  UNION
  MATCH (n:Email) WHERE NOT (n)<-[:HAS_EMAIL]-()
  RETURN n
  UNION
  MATCH (n:Identifier) WHERE NOT (n)<-[:HAS_IDENTIFIER]-()
  RETURN n
  UNION
  MATCH (n:Record) WHERE n.stub = true AND NOT (n)-[:RELATED]-()
  RETURN n
}
DETACH DELETE n
RETURN count(*) AS deleted
