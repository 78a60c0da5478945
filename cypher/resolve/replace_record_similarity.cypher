// Purpose: replace a record's SIMILAR_TO edges with those of its new scoring (real-time resolution), in one
//          round trip: weight (bits), probability, explanation (JSON), blocking rules, cannot-link reason
// Parameters: $uid, $edges (list of {a, b, weight, probability, explanation, rules, cannot_link}; a = $uid)
CALL () {
  MATCH (:Record {uid: $uid})-[s:SIMILAR_TO]-()
  DELETE s
}
UNWIND $edges AS edge
MATCH (a:Record {uid: edge.a}), (b:Record {uid: edge.b})
CREATE (a)-[:SIMILAR_TO {weight: edge.weight, probability: edge.probability, explanation: edge.explanation,
                         rules: edge.rules, cannot_link: edge.cannot_link}]->(b)
RETURN count(*) AS edges
