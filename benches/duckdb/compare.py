"""Runs twelve indicators as csc-indicators and as plain DuckDB SQL (indicators.sql) on the same generated files,
and prints both times and peak memory (medians of --repeat runs), their ratio, the time DuckDB takes to read every
column of the tables those indicators use, and the row-by-row agreement of the two results.

Usage: python3 benches/duckdb/compare.py DATA [--bin PATH] [--repeat N]
DATA should be clean generated data (`csc-indicators generate --clean ...`): the SQL does no de-duplication, value
mapping or date repair. Needs `pip install duckdb polars`.
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

INDICATORS = [
    "referrals", "re_referral_rate", "assessments_within_45wd", "s47_started", "s47_rate", "icpc_within_15wd",
    "cp_children", "cp_rate", "cp_repeat_within_2y", "cp_ended_2y_plus", "cp_reviews_on_time", "cp_allocated",
]
TABLES = [
    "ssd_cin_episodes", "ssd_cin_assessments", "ssd_s47_enquiry", "ssd_initial_cp_conference", "ssd_cp_plans",
    "ssd_cp_reviews", "ssd_involvements", "ssd_professionals",
]
HERE = pathlib.Path(__file__).resolve().parent

DUCKDB_RUN = """
import duckdb, sys
data, out, calc_from, report_from, report_to = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
con = duckdb.connect()
con.execute(f"SET threads = 2")
for name, value in [("data", data), ("calc_from", calc_from), ("report_from", report_from), ("report_to", report_to)]:
    con.execute(f"SET VARIABLE {name} = ?", [value])
con.execute(open(sys.argv[6]).read())
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--bin", default=str(pathlib.Path.home() / ".cache/csc-indicators-target/release/csc-indicators"))
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    import polars as pl

    work = pathlib.Path(tempfile.mkdtemp())
    ours_cmd = [a.bin, "run", "--data", a.data, "--out", str(work / "ours"), "-q"]
    for i in INDICATORS:
        ours_cmd += ["--indicator", i]
    figures = {"csc-indicators": [], "DuckDB SQL": [], "DuckDB read every column": []}
    for _ in range(a.repeat):
        figures["csc-indicators"].append(measure(ours_cmd))
        run = json.load(open(work / "ours" / "run.json"))
        months = run["months"]
        to_index = lambda ym: int(ym[:4]) * 12 + int(ym[5:]) - 1
        report_from, report_to = to_index(months["from"]), to_index(months["to"])
        calc_from = report_from - 11
        figures["DuckDB SQL"].append(measure([
            sys.executable, "-c", DUCKDB_RUN, a.data, str(work / "duckdb.parquet"), str(calc_from), str(report_from),
            str(report_to), str(HERE / "indicators.sql"),
        ]))
        figures["DuckDB read every column"].append(measure([sys.executable, "-c", DUCKDB_SCAN, a.data, *TABLES]))
    print(f"{len(INDICATORS)} indicators, {len(run['las'])} LAs, {months['from']} to {months['to']}, "
          f"median of {a.repeat} runs, {subprocess.check_output(['nproc']).decode().strip()} cores")
    medians = {}
    for name, runs in figures.items():
        secs = statistics.median(s for s, _ in runs)
        mib = statistics.median(m for _, m in runs)
        medians[name] = secs
        print(f"  {name:<26} {secs:7.1f} s  {mib / 1024:5.2f} GiB   (runs: {', '.join(f'{s:.1f}' for s, _ in runs)})")
    print(f"  DuckDB SQL / csc-indicators: {medians['DuckDB SQL'] / medians['csc-indicators']:.2f}x; "
          f"csc-indicators / DuckDB read: {medians['csc-indicators'] / medians['DuckDB read every column']:.2f}x")

    ours = (pl.read_parquet(work / "ours" / "indicators.parquet")
            .filter(pl.col("breakdown").is_null())
            .with_columns((pl.col("period_end").dt.year() * 12 + pl.col("period_end").dt.month() - 1).alias("month"))
            .select("la_code", "month", "indicator_id", "window", "numerator", "denominator"))
    theirs = pl.read_parquet(work / "duckdb.parquet").with_columns(pl.col("month").cast(pl.Int32))
    ours = ours.with_columns(pl.col("month").cast(pl.Int32))
    keys = ["la_code", "month", "indicator_id", "window"]
    joined = ours.join(theirs, on=keys, how="full", suffix="_duckdb", coalesce=True)
    same = lambda c: (pl.col(c) == pl.col(f"{c}_duckdb")) | (pl.col(c).is_null() & pl.col(f"{c}_duckdb").is_null())
    agree = joined.filter(same("numerator") & same("denominator"))
    print(f"  agreement: {agree.height} of {joined.height} rows (csc-indicators {ours.height}, DuckDB {theirs.height})")
    differ = joined.join(agree.select(keys), on=keys, how="anti")
    if differ.height:
        print(differ.group_by("indicator_id", "window").len().sort("indicator_id"))
        print(differ.head(10))
        sys.exit(1)


if __name__ == "__main__":
    main()
