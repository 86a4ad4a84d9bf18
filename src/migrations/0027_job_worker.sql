-- Which worker node claimed a job last (host:pid:n, set by JobWorker when it claims): with several worker
-- nodes on one database an operator (and the multi-node drill, test/faults/cluster.ts) can tell who ran
-- a job, or who held a job whose lease expired. Informational only: claiming still relies on
-- FOR UPDATE SKIP LOCKED and locked_until, never on this column.
alter table jobs add column locked_by text;
