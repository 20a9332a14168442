-- Custom SQL migration file, put your code below! --
-- The read engine's comment budget (src/budget.ts): a statement that has put more comments in its
-- response than the request may hold stops here, at once, with its own SQLSTATE.
CREATE OR REPLACE FUNCTION palaver_comment_budget_exceeded(comments integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'palaver: comment budget exceeded (% more comments)', comments USING ERRCODE = 'PB001';
END
$$;
