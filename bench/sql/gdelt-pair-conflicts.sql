-- (wide c) bench/rules/gdelt-pair-conflicts.rules: one row per group, with its count
-- of events (factlint's `group.count`).
SELECT Actor1CountryCode, Actor2CountryCode, CAST(count(*) AS VARCHAR) AS n
FROM events
WHERE QuadClass = 4
  AND Actor1CountryCode IS NOT NULL AND Actor2CountryCode IS NOT NULL
  AND Actor1CountryCode <> Actor2CountryCode
GROUP BY Actor1CountryCode, Actor2CountryCode
