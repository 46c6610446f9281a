-- Load a generated dataset (the JSON Lines files factlint reads) into typed tables.
-- run.py replaces {data} with the dataset folder and times this whole script as
-- DuckDB's load cost, the counterpart of factlint reading and typing the files.
--
-- Times follow docs/data-model.md: "2008" is 2008-01-01..2008-12-31, "2014-03" is
-- that month, "2026-01-07" that day, {start, end} from the first day of start to the
-- last day of end (an absent end is open: t_hi is NULL). Each time field becomes two
-- DATE columns, <field>_lo and <field>_hi.

CREATE OR REPLACE MACRO day_lo(t) AS CASE length(t)
    WHEN 4 THEN make_date(TRY_CAST(t AS INTEGER), 1, 1)
    WHEN 7 THEN make_date(TRY_CAST(t[1:4] AS INTEGER), TRY_CAST(t[6:7] AS INTEGER), 1)
    ELSE TRY_CAST(t AS DATE) END;
CREATE OR REPLACE MACRO day_hi(t) AS CASE length(t)
    WHEN 4 THEN make_date(TRY_CAST(t AS INTEGER), 12, 31)
    WHEN 7 THEN last_day(make_date(TRY_CAST(t[1:4] AS INTEGER), TRY_CAST(t[6:7] AS INTEGER), 1))
    ELSE TRY_CAST(t AS DATE) END;
CREATE OR REPLACE MACRO time_lo(j) AS CASE json_type(j)
    WHEN 'VARCHAR' THEN day_lo(j ->> '$')
    WHEN 'OBJECT' THEN day_lo(j ->> 'start') END;
CREATE OR REPLACE MACRO time_hi(j) AS CASE json_type(j)
    WHEN 'VARCHAR' THEN day_hi(j ->> '$')
    WHEN 'OBJECT' THEN day_hi(j ->> 'end') END;

CREATE OR REPLACE TABLE actors AS
SELECT * FROM read_json('{data}/actors.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', name: 'VARCHAR', kind: 'VARCHAR', country: 'VARCHAR',
    aliases: 'VARCHAR[]', sources: 'VARCHAR[]'});

CREATE OR REPLACE TABLE principles AS
SELECT * FROM read_json('{data}/principles.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', name: 'VARCHAR', description: 'VARCHAR',
    violated_by: 'VARCHAR[]', sources: 'VARCHAR[]'});

CREATE OR REPLACE TABLE sources AS
SELECT * EXCLUDE (date), time_lo(date) AS date_lo, time_hi(date) AS date_hi
FROM read_json('{data}/sources.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', title: 'VARCHAR', publisher: 'VARCHAR', url: 'VARCHAR', date: 'JSON',
    reliability: 'VARCHAR', credibility: 'VARCHAR', actor: 'VARCHAR'});

CREATE OR REPLACE TABLE statements AS
SELECT * EXCLUDE (date), time_lo(date) AS t_lo, time_hi(date) AS t_hi
FROM read_json('{data}/statements.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', actor: 'VARCHAR', speaker: 'VARCHAR', date: 'JSON', kind: 'VARCHAR',
    invokes: 'VARCHAR[]', about: 'VARCHAR[]', refers_to: 'VARCHAR[]', text: 'VARCHAR',
    quotes: 'VARCHAR[]', sources: 'VARCHAR[]'});

CREATE OR REPLACE TABLE actions AS
SELECT * EXCLUDE (time), time_lo(time) AS t_lo, time_hi(time) AS t_hi
FROM read_json('{data}/actions.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', actor: 'VARCHAR', kind: 'VARCHAR', target: 'VARCHAR', time: 'JSON',
    fatalities: 'JSON', consent: 'BOOLEAN', mandate: 'VARCHAR', description: 'VARCHAR',
    cameo: 'VARCHAR', sources: 'VARCHAR[]'});

CREATE OR REPLACE TABLE claims AS
SELECT * EXCLUDE (date), time_lo(date) AS t_lo, time_hi(date) AS t_hi
FROM read_json('{data}/claims.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', claimant: 'VARCHAR', date: 'JSON', text: 'VARCHAR', subject: 'VARCHAR',
    property: 'VARCHAR', comparator: 'VARCHAR', value: 'JSON', test: 'BOOLEAN',
    sources: 'VARCHAR[]'});

-- `value` is any type: is_num marks a plain number (not a range, string or date).
CREATE OR REPLACE TABLE facts AS
SELECT * EXCLUDE (valid),
    json_type(value) IN ('BIGINT', 'UBIGINT', 'DOUBLE') AS is_num,
    CASE WHEN json_type(value) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
         THEN CAST(value AS DOUBLE) END AS num,
    time_lo(valid) AS valid_lo, time_hi(valid) AS valid_hi
FROM read_json('{data}/facts.jsonl', format = 'newline_delimited', columns = {
    id: 'VARCHAR', subject: 'VARCHAR', property: 'VARCHAR', value: 'JSON', unit: 'VARCHAR',
    valid: 'JSON', sources: 'VARCHAR[]'});
