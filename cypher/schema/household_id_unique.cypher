// Purpose: one (:Household) per household id
// Parameters: none
CREATE CONSTRAINT household_id_unique IF NOT EXISTS FOR (h:Household) REQUIRE h.id IS UNIQUE
