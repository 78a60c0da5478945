// Purpose: append identity journal entries (created, merged, split, linked) for practitioners' systems to sync;
//          an entry a steward's decision caused names it
// Parameters: $events (list of {seq, kind, from_ids, to_ids, records, decision_id?})
UNWIND $events AS event
CREATE (:IdentityEvent {seq: event.seq, kind: event.kind, from_ids: event.from_ids, to_ids: event.to_ids,
                        records: event.records, decision_id: event.decision_id, at: datetime()})
RETURN count(*) AS events
