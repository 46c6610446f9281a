-- (d) bench/rules/source-below-d.rules, certain findings: one row per source. A
-- missing grade is unknown in factlint (a possible finding) and NULL here.
SELECT id AS s
FROM sources
WHERE reliability > 'D'
