-- (c) bench/rules/superlative.rules, certain findings: one row per (claim, fact).
-- factlint's max is certain only when every value of the property is comparable; the
-- generator gives the properties of superlative claims plain numbers only, and the
-- query refuses a property whose values are not all plain numbers (all_num).
WITH top AS (
  SELECT property, max(num) AS mx, bool_and(is_num) AS all_num
  FROM facts
  GROUP BY property
)
SELECT c.id AS c, f.id AS f
FROM claims c
JOIN facts f ON f.subject = c.subject AND f.property = c.property
JOIN top t ON t.property = c.property
WHERE c.comparator = 'max'
  AND t.all_num
  AND f.is_num
  AND f.num = t.mx
