// Purpose: delete the SIMILAR_TO edges a run no longer finds (its pair fell below the edge threshold, or one of its
//          records is not read any more), each by its elementId as the run read it
// Parameters: $element_ids (list of relationship elementIds)
UNWIND $element_ids AS element_id
MATCH (:Record)-[s:SIMILAR_TO]->(:Record) WHERE elementId(s) = element_id
DELETE s
RETURN count(s) AS deleted
