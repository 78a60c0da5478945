// Purpose: one (:Person) per resolved person id (stable, opaque; also kept for retired ids)
// Parameters: none
CREATE CONSTRAINT person_id_unique IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE
