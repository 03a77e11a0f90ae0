"""Extract benchmark: loads a generated set into a PostgreSQL server of its own (one database per LA, schema
ssd_development, SSD types), then runs `csc-indicators extract` for every LA and, side by side, psql's
`\\copy (SELECT <the same columns> FROM ...) TO file` of the same tables, which is what the server can stream. Prints
rows per second of each (medians of --repeat rounds over all LAs), their ratio, and each extract's peak memory
against its LA's rows.

Usage: python3 benches/extract/compare.py DATA [--bin PATH] [--repeat N] [--keep-server]
DATA is a generated set (`csc-indicators generate --out DATA --las 20 ...`). Needs `pip install polars`, Debian's
`postgresql` and `odbc-postgresql` (scripts/install-postgres.sh) and /usr/bin/time.
"""

import argparse
import glob
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import polars as pl

PASSWORD = "bench-password"


def server_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("PostgreSQL is not installed: run scripts/install-postgres.sh")
    return pathlib.Path(found[-1]).parent


class Server:
    def __init__(self, work):
        self.bin = server_bin()
        self.dir = pathlib.Path(work) / "pg"
        self.dir.mkdir()
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD)
        if self.user:
            subprocess.run(["chown", "-R", "postgres", str(self.dir)], check=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        subprocess.run(self.user + [str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "ssd",
                                    "--auth=scram-sha-256", f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C"],
                       check=True, capture_output=True)
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB"
        subprocess.run(self.user + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-o", opts, "-l",
                                    str(self.dir / "log"), "-w", "start"], check=True, capture_output=True)

    def psql(self, db, *args, stdin=None):
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        return subprocess.run([str(self.bin / "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                               "-p", str(self.port), "-U", "ssd", "-d", db, *args],
                              env=env, check=True, capture_output=True, text=True, input=stdin)

    def connection(self, db):
        return (f"Driver={{PostgreSQL Unicode}};Server=127.0.0.1;Port={self.port};Database={db};Uid=ssd;"
                f"Pwd={PASSWORD}")

    def stop(self):
        subprocess.run(self.user + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"],
                       capture_output=True)


def sql_type(name, dtype):
    if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
        return "timestamp"
    if dtype.is_numeric():
        return "numeric"
    if dtype == pl.Boolean:
        return "boolean"
    return "text" if name.endswith("_json") else "varchar(255)"


def latest_snapshots(data):
    """{la: {table: file}} of each LA's latest snapshot."""
    by_la = {}
    for f in glob.glob(f"{data}/ssd_*/la_code=*/snapshot_date=*/*.parquet"):
        parts = pathlib.Path(f).parts
        table, la, date = parts[-4], parts[-3].split("=")[1], parts[-2].split("=")[1]
        by_la.setdefault(la, {}).setdefault(date, {})[table] = f
    return {la: dates[max(dates)] for la, dates in by_la.items()}


def load(server, data, work):
    snapshots = latest_snapshots(data)
    for la, tables in sorted(snapshots.items()):
        db = f"la_{la}"
        server.psql("postgres", "-c", f"CREATE DATABASE {db}")
        script = ["CREATE SCHEMA ssd_development;"]
        for table, file in sorted(tables.items()):
            df = pl.read_parquet(file)
            cols = ", ".join(f"{c} {sql_type(c, t)}" for c, t in df.schema.items())
            csv = pathlib.Path(work) / f"{db}-{table}.csv"
            df.write_csv(csv, quote_style="non_numeric", date_format="%Y-%m-%d",
                         datetime_format="%Y-%m-%d %H:%M:%S")
            script.append(f"CREATE TABLE ssd_development.{table} ({cols});")
            script.append(f"\\copy ssd_development.{table} ({', '.join(df.columns)}) FROM '{csv}' "
                          "WITH (FORMAT csv, HEADER true)")
        server.psql(db, stdin="\n".join(script) + "\nANALYZE;\n")
        for csv in pathlib.Path(work).glob(f"{db}-*.csv"):
            csv.unlink()
    return sorted(snapshots)


def timed(command, env=None):
    """Wall seconds and peak KiB of a command."""
    with tempfile.NamedTemporaryFile("r") as t:
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, *command], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        return wall, int(t.read().strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data")
    p.add_argument("--bin", default="target/release/csc-indicators")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    root = pathlib.Path(__file__).resolve().parents[2]
    work = tempfile.mkdtemp(prefix="csc-extract-bench-")
    os.chmod(work, 0o755)
    server = Server(work)
    try:
        started = time.perf_counter()
        las = load(server, args.data, work)
        print(f"loaded {len(las)} LAs into PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)
        rounds = []
        peaks = {}
        for r in range(args.repeat):
            out = pathlib.Path(work) / "extracted"
            shutil.rmtree(out, ignore_errors=True)
            extract_s = copy_s = 0.0
            rows = 0
            for la in las:
                db = f"la_{la}"
                env = dict(os.environ, CSC_INDICATORS_CONNECTION=server.connection(db))
                wall, kib = timed([args.bin, "extract", "-q", "--la", la, "--data", str(out), "--snapshot-date",
                                   "2026-04-01", "--catalogue", str(root / "indicators.yaml")], env=env)
                record = json.loads((out / "extract" / f"la_code={la}" / "snapshot_date=2026-04-01" /
                                     "extract.json").read_text())
                la_rows = sum(t["rows"] for t in record["tables"])
                peaks.setdefault(la, []).append((kib, la_rows))
                extract_s += wall
                rows += la_rows
                copies = []
                for t in record["tables"]:
                    columns = pl.read_parquet_schema(
                        out / t["table"] / f"la_code={la}" / "snapshot_date=2026-04-01" / "part-0.parquet")
                    target = pathlib.Path(work) / "copy.csv"
                    copies.append(f"\\copy (SELECT {', '.join(columns)} FROM ssd_development.{t['table']}) "
                                  f"TO '{target}' WITH (FORMAT csv)")
                script = pathlib.Path(work) / "copy.sql"
                script.write_text("\n".join(copies) + "\n")
                start = time.perf_counter()
                server.psql(db, "-f", str(script))
                copy_s += time.perf_counter() - start
            rounds.append((rows, extract_s, copy_s))
            print(f"round {r + 1}: {rows:,} rows; extract {extract_s:.1f} s ({rows / extract_s:,.0f} rows/s), "
                  f"psql \\copy {copy_s:.1f} s ({rows / copy_s:,.0f} rows/s)", flush=True)
        rows = rounds[0][0]
        extract_s = statistics.median(r[1] for r in rounds)
        copy_s = statistics.median(r[2] for r in rounds)
        print(f"\n{len(las)} LAs, {rows:,} rows, medians of {len(rounds)} rounds:")
        print(f"  csc-indicators extract  {extract_s:7.1f} s  {rows / extract_s:12,.0f} rows/s")
        print(f"  psql \\copy ... TO file  {copy_s:7.1f} s  {rows / copy_s:12,.0f} rows/s")
        print(f"  extract / \\copy throughput: {copy_s / extract_s:.2f}")
        by_rows = sorted((max(k for k, _ in v), v[0][1], la) for la, v in peaks.items())
        by_rows.sort(key=lambda x: x[1])
        small, large = by_rows[0], by_rows[-1]
        print(f"  extract peak memory: {small[0] / 1024:.0f} MiB for LA {small[2]} ({small[1]:,} rows), "
              f"{large[0] / 1024:.0f} MiB for LA {large[2]} ({large[1]:,} rows); "
              f"all {min(k for k, _, _ in by_rows) / 1024:.0f}-{max(k for k, _, _ in by_rows) / 1024:.0f} MiB")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
