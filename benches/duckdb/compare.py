"""Runs indicators as csc-indicators and as plain DuckDB SQL on the same generated files, in two parts: the dozen
(twelve front-door and child-protection indicators, indicators.sql) and the whole catalogue (all 57 with their
windows and breakdowns, catalogue.sql), each after calendar.sql (working days, spine, population). For each part
it prints both times and peak memory (medians of --repeat runs, the two tools alternating), their ratio, the time
DuckDB takes to read every column of the tables the part uses, csc-indicators' own load time (run.json), and the
row-by-row agreement of the two results.

Usage: python3 benches/duckdb/compare.py DATA [--bin PATH] [--repeat N] [--part dozen|whole|both]
DATA should be clean generated data (`csc-indicators generate --clean ...`): the SQL does no de-duplication, value
mapping of codes or date repair. Needs `pip install duckdb polars`. Exits 1 when a part's results disagree.
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
DOZEN = [
    "referrals", "re_referral_rate", "assessments_within_45wd", "s47_started", "s47_rate", "icpc_within_15wd",
    "cp_children", "cp_rate", "cp_repeat_within_2y", "cp_ended_2y_plus", "cp_reviews_on_time", "cp_allocated",
]
DOZEN_TABLES = [
    "ssd_cin_episodes", "ssd_cin_assessments", "ssd_s47_enquiry", "ssd_initial_cp_conference", "ssd_cp_plans",
    "ssd_cp_reviews", "ssd_involvements", "ssd_professionals",
]
WHOLE_TABLES = DOZEN_TABLES + [
    "ssd_person", "ssd_early_help_episodes", "ssd_cp_visits", "ssd_cla_episodes", "ssd_legal_status",
    "ssd_cla_placement", "ssd_cla_reviews", "ssd_cla_visits", "ssd_cla_health", "ssd_cla_pep", "ssd_missing",
    "ssd_care_leavers", "ssd_permanence",
]
# part: (indicators to pass with --indicator, or None for all; SQL file; tables read; months before the first
# reported one that the longest window reaches; whether breakdown rows are compared)
PARTS = {
    "dozen": (DOZEN, "indicators.sql", DOZEN_TABLES, 11, False),
    "whole": (None, "catalogue.sql", WHOLE_TABLES, 35, True),
}

DUCKDB_RUN = """
import duckdb, sys
data, out, calc_from, report_from, report_to = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
con = duckdb.connect()
con.execute(f"SET threads = 2")
for name, value in [("data", data), ("calc_from", calc_from), ("report_from", report_from), ("report_to", report_to)]:
    con.execute(f"SET VARIABLE {name} = ?", [value])
for sql in sys.argv[6:]:
    con.execute(open(sql).read())
con.execute(f"COPY result TO '{out}' (FORMAT parquet)")
"""

DUCKDB_SCAN = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads = 2")
for t in sys.argv[2:]:
    con.execute(f"CREATE TEMP TABLE {t} AS SELECT * FROM read_parquet('{sys.argv[1]}/{t}/*/*/*.parquet', hive_partitioning = true, union_by_name = true)")
"""


def measure(cmd):
    """Runs cmd under /usr/bin/time in a fresh process; returns (seconds, peak MiB)."""
    with tempfile.NamedTemporaryFile("r") as f:
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, *cmd], check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        return seconds, int(f.read().split()[-1]) / 1024


def sql_lines(path):
    """Lines of SQL that are neither blank nor comments."""
    return sum(1 for line in open(path) if line.strip() and not line.strip().startswith("--"))


def run_part(name, a, work):
    """Measures one part and prints its figures; returns whether the two results agree row for row."""
    import polars as pl

    indicators, sql, tables, reach, breakdowns = PARTS[name]
    out = work / name
    ours_cmd = [a.bin, "run", "--data", a.data, "--out", str(out), "-q"]
    for i in indicators or []:
        ours_cmd += ["--indicator", i]
    figures = {"csc-indicators": [], "DuckDB SQL": [], "DuckDB read every column": []}
    loads = []
    for _ in range(a.repeat):
        figures["csc-indicators"].append(measure(ours_cmd))
        run = json.load(open(out / "run.json"))
        loads.append(run["timings_seconds"]["load"])
        months = run["months"]
        to_index = lambda ym: int(ym[:4]) * 12 + int(ym[5:]) - 1
        report_from, report_to = to_index(months["from"]), to_index(months["to"])
        figures["DuckDB SQL"].append(measure([
            sys.executable, "-c", DUCKDB_RUN, a.data, str(work / f"{name}-duckdb.parquet"), str(report_from - reach),
            str(report_from), str(report_to), str(HERE / "calendar.sql"), str(HERE / sql),
        ]))
        figures["DuckDB read every column"].append(measure([sys.executable, "-c", DUCKDB_SCAN, a.data, *tables]))
    count = len(indicators) if indicators else run["catalogue"]["indicators"]
    print(f"{name}: {count} indicators, {len(run['las'])} LAs, {months['from']} to {months['to']}, "
          f"median of {a.repeat} runs, {subprocess.check_output(['nproc']).decode().strip()} cores")
    medians = {}
    for label, runs in figures.items():
        secs = statistics.median(s for s, _ in runs)
        mib = statistics.median(m for _, m in runs)
        medians[label] = secs
        print(f"  {label:<26} {secs:7.1f} s  {mib / 1024:5.2f} GiB   (runs: {', '.join(f'{s:.1f}' for s, _ in runs)})")
    print(f"  csc-indicators loading     {statistics.median(loads):7.1f} s   (run.json timings_seconds.load)")
    print(f"  DuckDB SQL / csc-indicators: {medians['DuckDB SQL'] / medians['csc-indicators']:.2f}x; "
          f"csc-indicators / DuckDB read: {medians['csc-indicators'] / medians['DuckDB read every column']:.2f}x; "
          f"csc-indicators / its loading: {medians['csc-indicators'] / statistics.median(loads):.2f}x")
    print(f"  SQL: {sql_lines(HERE / 'calendar.sql') + sql_lines(HERE / sql)} lines (calendar.sql and {sql}, "
          f"without blank and comment lines)")

    keys = ["la_code", "month", "indicator_id", "window", "breakdown", "breakdown_value"]
    ours = (pl.read_parquet(out / "indicators.parquet")
            .with_columns((pl.col("period_end").dt.year() * 12 + pl.col("period_end").dt.month() - 1)
                          .cast(pl.Int64).alias("month")))
    theirs = pl.read_parquet(work / f"{name}-duckdb.parquet").with_columns(pl.col("month").cast(pl.Int64))
    if not breakdowns:
        ours = ours.filter(pl.col("breakdown").is_null())
        theirs = theirs.with_columns(pl.lit(None, pl.String).alias("breakdown"),
                                     pl.lit(None, pl.String).alias("breakdown_value"))
    ours = ours.select(*keys, "numerator", "denominator")
    theirs = theirs.select(*keys, "numerator", "denominator")
    joined = ours.join(theirs, on=keys, how="full", suffix="_duckdb", coalesce=True, nulls_equal=True)
    same = lambda c: ((pl.col(c) - pl.col(f"{c}_duckdb")).abs() < 1e-9) | (
        pl.col(c).is_null() & pl.col(f"{c}_duckdb").is_null())
    agree = joined.filter((same("numerator") & same("denominator")).fill_null(False))
    print(f"  agreement: {agree.height} of {joined.height} rows (csc-indicators {ours.height}, DuckDB {theirs.height})")
    differ = joined.join(agree.select(keys), on=keys, how="anti", nulls_equal=True)
    if differ.height:
        print(differ.group_by("indicator_id", "window", "breakdown").len().sort("indicator_id"))
        print(differ.head(10))
    return differ.height == 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--bin", default=str(pathlib.Path.home() / ".cache/csc-indicators-target/release/csc-indicators"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--part", choices=["dozen", "whole", "both"], default="both")
    a = p.parse_args()
    work = pathlib.Path(tempfile.mkdtemp())
    parts = ["dozen", "whole"] if a.part == "both" else [a.part]
    results = [run_part(name, a, work) for name in parts]
    yaml_lines = sum(1 for line in open(HERE.parent.parent / "indicators.yaml")
                     if line.strip() and not line.strip().startswith("#"))
    print(f"indicators.yaml: {yaml_lines} lines without blank and comment lines")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
