// Purpose: append identity journal entries (created, merged, split, linked) after the last one, numbered in
//          order, in one round trip (real-time resolution holds the lock, so the numbers cannot collide);
//          an entry a steward's decision caused names it
// Parameters: $events (list of {kind, from_ids, to_ids, records, decision_id?})
CALL () {
  MATCH (e:IdentityEvent)
  RETURN coalesce(max(e.seq), 0) AS last
}
UNWIND range(0, size($events) - 1) AS offset
WITH last, offset, $events[offset] AS event
CREATE (:IdentityEvent {seq: last + 1 + offset, kind: event.kind, from_ids: event.from_ids, to_ids: event.to_ids,
                        records: event.records, decision_id: event.decision_id, at: datetime()})
RETURN count(*) AS events
