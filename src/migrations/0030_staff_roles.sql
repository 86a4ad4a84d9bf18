-- The operator's people have roles of their own (issue 8): administrator (everything, and the staff
-- list), moderator (merchants and shops), support agent (tickets, feedback, broadcasts) and finance
-- (money: payouts, unanswered card attempts, safe-deal disputes). Merchants' people have none.
alter table users add column staff_role text
  check (staff_role in ('administrator', 'moderator', 'support', 'finance'));
update users set staff_role = 'administrator' where role = 'operator';
alter table users add constraint users_staff_role_only_operators check ((role = 'operator') = (staff_role is not null));
