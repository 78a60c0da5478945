// Purpose: Neo4j and GDS versions of the connected server
// Parameters: none
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition, gds.version() AS gds_version
