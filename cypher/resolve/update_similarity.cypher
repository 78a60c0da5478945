// Purpose: bring SIMILAR_TO edges that a run finds again up to date: weight, probability, explanation, rules and
//          cannot-link reason set only where one changed (a re-run of an unchanged model over unchanged records
//          writes none). Each edge found by its elementId as the run read it, its records' uids checked too
// Parameters: $edges (list of {element_id, a, b, weight, probability, explanation, rules, cannot_link})
UNWIND $edges AS edge
MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record) WHERE elementId(s) = edge.element_id AND [a.uid, b.uid] = [edge.a, edge.b]
WITH s, edge
WHERE s.weight <> edge.weight OR s.probability <> edge.probability OR s.explanation <> edge.explanation
   OR s.rules <> edge.rules OR coalesce(s.cannot_link, '') <> coalesce(edge.cannot_link, '')
SET s.weight = edge.weight, s.probability = edge.probability, s.explanation = edge.explanation, s.rules = edge.rules,
    s.cannot_link = edge.cannot_link
RETURN count(s) AS updated
