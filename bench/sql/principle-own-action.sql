-- (a) bench/rules/principle-own-action.rules, certain findings: one row per
-- (statement, action), columns in the order of the rule's bindings.
--   a.actor == s.actor                      equality, both required: exact
--   a.time within 20 years of s.date        certain when every day of the action is
--                                           within 20 years of every day of the
--                                           statement; an open end is never certain
--   exists(p ... p.id in s.invokes          certain when some invoked principle lists
--          and a.kind in p.violated_by      the kind and consent is recorded false
--          and not a.consent)               (a missing consent is only possible)
SELECT s.id AS s, a.id AS a
FROM statements s
JOIN actions a ON a.actor = s.actor
WHERE a.consent = false
  AND a.t_lo >= s.t_hi - INTERVAL 20 YEAR
  AND a.t_hi <= s.t_lo + INTERVAL 20 YEAR
  AND EXISTS (
    SELECT 1 FROM principles p
    WHERE list_contains(s.invokes, p.id)
      AND list_contains(p.violated_by, a.kind))
