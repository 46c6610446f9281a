-- (wide b) bench/rules/gdelt-actor-average.rules, certain findings: the rule's
-- `is present` guards are SQL's NULL handling here (GROUP BY over the rows with a code,
-- an inner join that drops the events without one).
SELECT CAST(e.GLOBALEVENTID AS VARCHAR) AS e
FROM events e
JOIN (SELECT Actor1Code, avg(NumMentions) AS a
      FROM events WHERE Actor1Code IS NOT NULL GROUP BY Actor1Code) g
  ON g.Actor1Code = e.Actor1Code
WHERE e.NumMentions > 5 * g.a
