-- (b) bench/rules/too-few-publishers.rules, certain findings: one row per claim.
-- factlint's count_distinct counts the distinct publishers of the sources the filter
-- certainly keeps, and treats each source it may or may not keep (the source has an
-- actor but the claim has no claimant, so `s.actor != c.claimant` is unknown) as
-- possibly one more. "< 2" is certain when even counting those it stays below 2.
WITH cs AS (
  SELECT c.id, c.claimant, unnest(c.sources) AS sid
  FROM claims c
  WHERE len(c.sources) > 0
)
SELECT cs.id AS c
FROM cs JOIN sources s ON s.id = cs.sid
GROUP BY cs.id
HAVING count(DISTINCT s.publisher) FILTER (WHERE s.actor IS NULL OR s.actor <> cs.claimant)
     + count(*) FILTER (WHERE s.actor IS NOT NULL AND cs.claimant IS NULL) < 2
