-- (wide d) bench/rules/gdelt-repeat-pair.rules: one row per pair. SQLDATE is a DATE
-- (a single day), so `within 30 days` is |a - b| <= 30 days, always decided.
SELECT CAST(a.GLOBALEVENTID AS VARCHAR) AS a, CAST(b.GLOBALEVENTID AS VARCHAR) AS b
FROM events a
JOIN events b
  ON b.Actor1Code = a.Actor1Code AND b.Actor2Code = a.Actor2Code
WHERE a.QuadClass >= 3 AND b.QuadClass >= 3
  AND a.GLOBALEVENTID < b.GLOBALEVENTID
  AND abs(b.SQLDATE - a.SQLDATE) <= 30
