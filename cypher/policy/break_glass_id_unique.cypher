// Purpose: break-glass grants are looked up by id (review) and never duplicated
// Parameters: none
CREATE CONSTRAINT break_glass_id_unique IF NOT EXISTS FOR (g:BreakGlass) REQUIRE g.id IS UNIQUE
