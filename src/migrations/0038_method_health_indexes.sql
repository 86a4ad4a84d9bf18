-- Provider health in the back-office counts attempts of the last 24 hours or 7 days by created_at; both
-- tables only grow in time order, so a BRIN index answers the window cheaply (like 0028's).
create index method_attempts_created_brin on method_attempts using brin (created_at);
create index card_attempts_created_brin on card_attempts using brin (created_at);
