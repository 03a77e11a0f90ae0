-- What both parts of benches/duckdb/compare.py share, run before indicators.sql or catalogue.sql: working days,
-- the table and month macros, the LA x month spine and the population. compare.py sets the variables: data (the
-- data folder), calc_from, report_from and report_to (months as year*12 + month - 1).

-- Working days: WD(a, b) = working days x with a < x <= b = idx(b) - idx(a).
CREATE TEMP TABLE wd AS
SELECT d::DATE AS d,
       sum(CASE WHEN isodow(d) <= 5 AND d::DATE NOT IN (SELECT date FROM read_parquet(getvariable('data') || '/reference/bank_holidays.parquet'))
                THEN 1 ELSE 0 END) OVER (ORDER BY d) AS idx
FROM range(DATE '1990-01-01', DATE '2040-01-01', INTERVAL 1 DAY) t(d);

CREATE MACRO tbl(name) AS TABLE
  SELECT * FROM read_parquet(getvariable('data') || '/' || name || '/*/*/*.parquet', hive_partitioning = true, union_by_name = true);
CREATE MACRO mon(d) AS year(d) * 12 + month(d) - 1;
-- The last day of month index m.
CREATE MACRO month_end(m) AS (make_date((m // 12)::BIGINT, (m % 12 + 1)::BIGINT, 1) + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE;
CREATE MACRO wdays(a, b) AS (SELECT idx FROM wd WHERE wd.d = b::DATE) - (SELECT idx FROM wd WHERE wd.d = a::DATE);
-- The spine: every LA x month from calc_from (as many months before the first reported month as the part's longest
-- window reaches back) to report_to, with its financial year, financial quarter and last day; `reported` is the
-- months from report_from.
CREATE TEMP TABLE las AS SELECT DISTINCT la_code::VARCHAR AS la_code FROM tbl('ssd_person');
CREATE TEMP TABLE spine AS
SELECT la_code, m AS month, (m - 3) // 12 AS fy, (m - 3) // 3 AS fq, month_end(m) AS period_end
FROM las, range(getvariable('calc_from'), getvariable('report_to') + 1) r(m);
CREATE TEMP TABLE reported AS SELECT * FROM spine WHERE month >= getvariable('report_from');

-- Population aged 0-17 by LA and financial year: that year's mid-year estimate, else the latest earlier one.
CREATE TEMP TABLE pop AS
SELECT s.la_code, s.fy, arg_max(p.age_0_17, p.mid_year) AS population
FROM (SELECT DISTINCT la_code, fy FROM spine) s
JOIN read_parquet(getvariable('data') || '/reference/population.parquet') p
  ON p.la_code = s.la_code AND p.mid_year <= s.fy
GROUP BY s.la_code, s.fy;
