-- The operator's dashboard and audit search read recent rows across all accounts. BRIN indexes on the
-- creation times are a few pages each and cost writers almost nothing (rows arrive in time order).
create index payments_created_brin on payments using brin (created_at);
create index notification_attempts_started_brin on notification_attempts using brin (started_at);
create index audit_log_created_brin on audit_log using brin (created_at);
create index audit_log_action_idx on audit_log (action, id);
