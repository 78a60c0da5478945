// Purpose: SIMILAR_TO edges between scored record pairs, carrying total weight (bits), probability,
//          the per-comparison explanation (JSON), the blocking rules that found the pair, and a
//          cannot-link reason when the pair can never be one person
// Parameters: $edges (list of {a, b, weight, probability, explanation, rules, cannot_link})
UNWIND $edges AS edge
MATCH (a:Record {uid: edge.a}), (b:Record {uid: edge.b})
CREATE (a)-[:SIMILAR_TO {weight: edge.weight, probability: edge.probability, explanation: edge.explanation,
                         rules: edge.rules, cannot_link: edge.cannot_link}]->(b)
RETURN count(*) AS edges
