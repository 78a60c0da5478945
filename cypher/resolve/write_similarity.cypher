// Purpose: SIMILAR_TO edges between scored record pairs, carrying total weight (bits), probability,
//          the per-comparison explanation (resolvers/link_evidence.py), the blocking rules that found the pair, and a
//          cannot-link reason when the pair can never be one person
//          Each record is found by its elementId, read by this run (a seek; the uids must match too, so an id
//          that a record deleted meanwhile left to a new one is never linked). The uids are compared as a list:
//          a plain `a.uid = edge.a` would be planned as a locking unique-index seek again, the cost avoided here.
// Parameters: $edges (list of {a, a_element, b, b_element, weight, probability, explanation, rules, cannot_link})
UNWIND $edges AS edge
MATCH (a:Record), (b:Record) WHERE elementId(a) = edge.a_element AND elementId(b) = edge.b_element
                              AND [a.uid, b.uid] = [edge.a, edge.b]
CREATE (a)-[:SIMILAR_TO {weight: edge.weight, probability: edge.probability, explanation: edge.explanation,
                         rules: edge.rules, cannot_link: edge.cannot_link}]->(b)
RETURN count(*) AS edges
