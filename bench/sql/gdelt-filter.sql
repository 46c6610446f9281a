-- (wide a) bench/rules/gdelt-filter.rules: one row per event. Both columns are
-- present in every GDELT row, so there are no possible findings.
SELECT CAST(GLOBALEVENTID AS VARCHAR) AS e
FROM events
WHERE GoldsteinScale < -9 AND NumMentions >= 10
