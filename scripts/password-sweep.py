"""Looks for a database password anywhere csc-indicators could write it. Starts a throwaway PostgreSQL server (as
benches/extract/compare.py does), loads the sample data, extracts every LA with trace logs in text and JSON, makes
three extracts fail (wrong password, wrong schema, unreachable server), runs `run --report --xlsx --history` and
`publish` on what was extracted, then searches every file written, every stdout and stderr, and the server's log
for the password and pieces of it. Exits 1 when any is found.

Usage: python3 scripts/password-sweep.py [--bin target/release/csc-indicators] [--password TEXT]
A password holding `;` without braces in the connection string (the default) checks that the part after the `;`,
which the driver manager does not read as the password, is not shown either. Needs what compare.py needs.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "benches" / "extract"))
import compare  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=str(root / "target" / "release" / "csc-indicators"))
    p.add_argument("--password", default="Sweep-pw;after-the-semicolon")
    args = p.parse_args()
    compare.PASSWORD = args.password
    pieces = {args.password, *(part for part in args.password.split(";") if len(part) >= 4)}
    work = pathlib.Path(tempfile.mkdtemp(prefix="csc-password-sweep-"))
    os.chmod(work, 0o755)
    server = compare.Server(str(work))
    logs, out, data = work / "logs", work / "out", work / "extracted"
    logs.mkdir()
    try:
        las = compare.load(server, str(root / "data"), str(work))

        def command(name, *argv, env=None):
            r = subprocess.run([args.bin, *argv], env=dict(os.environ, **(env or {})), capture_output=True,
                               text=True, cwd=root)
            (logs / f"{name}.stdout").write_text(r.stdout)
            (logs / f"{name}.stderr").write_text(r.stderr)
            print(f"{name}: exit {r.returncode}")

        extract = ["extract", "--data", str(data)]
        for la in las:
            connection = server.connection(f"la_{la}")
            command(f"extract-{la}", "-vv", *extract, "--la", la, "--snapshot-date", "2024-04-01",
                    env={"CSC_INDICATORS_CONNECTION": connection})
            command(f"extract-json-{la}", "-v", "--log-format", "json", *extract, "--la", la, "--snapshot-date",
                    "2024-04-02", "--connection", connection)
        connection = server.connection(f"la_{las[0]}")
        failing = ["-vv", *extract, "--la", las[0], "--snapshot-date", "2024-04-03"]
        command("wrong-password", *failing, "--connection", connection.replace(args.password, "not-it"))
        command("wrong-schema", *failing, "--schema", "nope", env={"CSC_INDICATORS_CONNECTION": connection})
        command("unreachable", *failing, "--connect-timeout", "2",
                env={"CSC_INDICATORS_CONNECTION": connection.replace(f"Port={server.port}", "Port=1")})
        if (data / "ssd_person").is_dir():
            shutil.copytree(root / "data" / "reference", data / "reference")
            command("run", "-vv", "run", "--data", str(data), "--out", str(out), "--report", "--xlsx", "--history")
            command("publish", "publish", "--out", str(out))
        server.stop()
        files, found = 0, []
        for base in [data, out, logs, server.dir / "log"]:
            for f in [base] if base.is_file() else base.rglob("*"):
                if f.is_file():
                    files += 1
                    text = f.read_bytes()
                    found += [(str(f.relative_to(work)), piece) for piece in pieces if piece.encode() in text]
        print(f"{files} files searched for {len(pieces)} pieces of the password: "
              + ("none found" if not found else f"FOUND {found}"))
        sys.exit(1 if found else 0)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
