// Purpose: find a user's break-glass grants quickly (checked on requests that meet a withheld record)
// Parameters: none
CREATE INDEX break_glass_user IF NOT EXISTS FOR (g:BreakGlass) ON (g.user)
