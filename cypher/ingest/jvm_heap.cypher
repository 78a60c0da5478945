// Purpose: the Neo4j server's Java heap (now, its maximum, and the old generation's peak), reported by
//          the ingest benchmark beside its timings
// Parameters: none
CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes AS memory
CALL dbms.queryJmx('java.lang:type=MemoryPool,name=G1 Old Gen') YIELD attributes AS old
RETURN memory.HeapMemoryUsage.value.properties.used AS heap_used,
       memory.HeapMemoryUsage.value.properties.max AS heap_max,
       old.PeakUsage.value.properties.used AS old_gen_peak
