// Purpose: append identity journal entries (created, merged, split) for practitioners' systems to sync
// Parameters: $events (list of {seq, kind, from_ids, to_ids, records})
UNWIND $events AS event
CREATE (:IdentityEvent {seq: event.seq, kind: event.kind, from_ids: event.from_ids, to_ids: event.to_ids,
                        records: event.records, at: datetime()})
RETURN count(*) AS events
