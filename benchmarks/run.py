"""audit-tui benchmarks: every figure of issue 7 beside its floor, in one table.

    .venv/bin/python -m benchmarks.run            # 1,000, 10,000 and 50,000 audits (~10 min the first time)
    .venv/bin/python -m benchmarks.run --quick    # 1,000 and 10,000 audits only

Synthetic databases are generated once (deterministically) and cached in
$AUDIT_TUI_BENCH_CACHE or <tmp>/audit-tui-bench. Commands run in child processes
(start-up on a pseudo-terminal) with their own settings and data folders, so your
settings and databases are never touched. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import generate
from .measure import median, on_screen, percentile, run, use_spawner

ROOT = Path(__file__).resolve().parent
AS_OF = "2026-03-01"
# export's floor: every row of the audits' tables read and written as JSON, a line each (C encoder)
EXPORT_FLOOR = """import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for table in ("audits", "answers", "actions", "concerns", "moderations", "moderated_answers"):
        cursor = c.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        for row in cursor:
            out.write(json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\\n")
"""

BARE_TEXT = "Hello from a bare Textual app"
HOME_MARKS = {"screen": "Filter: case ref", "list": r"\d+ of \d+ · "}  # the home screen; its list loaded


@dataclass
class Row:
    figure: str
    size: str
    value: str
    floor: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{model or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average {load:.2f} at start")


def audit_tui() -> list[str]:
    script = Path(sys.executable).parent / "audit-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "audit_tui"]


def fmt_s(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def growth(small: float, big: float, factor: float) -> float:
    """Cost ratio per 10x of audits."""
    return (big / small) ** (1 / math.log10(factor)) if small > 0 else float("nan")


class Bench:
    def __init__(self, sizes: list[int], repeat: int, work: Path):
        self.sizes = sizes
        self.repeat = repeat
        self.work = work
        self.rows: list[Row] = []
        self.results: dict[str, float] = {}
        self.floors: dict[int, tuple[float, float]] = {}  # report floor: seconds, MiB
        self.env = {**os.environ, "AUDIT_TUI_CONFIG_DIR": str(work / "config"),
                    "AUDIT_TUI_DATA_DIR": str(work / "data"), "PYTHONUNBUFFERED": "1"}
        self.env.pop("AUDIT_TUI_DEBUG", None)
        self.mid = 10_000 if 10_000 in sizes else sorted(sizes)[len(sizes) // 2]

    def add(self, *args, **kwargs) -> None:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        log(f"{row.figure} [{row.size}]: {row.value}" + (f" (floor {row.floor})" if row.floor else ""))

    def empty_db(self, name: str) -> Path:
        from audit_tui.storage.store import Store

        path = self.work / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        Store(path, actor="benchmark").close()
        return path

    # -- start-up ------------------------------------------------------------------

    def startup(self, dbs: dict[int, Path]) -> None:
        """Seconds until the screen has reached the terminal, read off a pseudo-terminal as a user meets
        it: the bare app's text; audit-tui's home screen (its filter box), then its list loaded."""
        empty = self.empty_db("empty.db")
        commands = {"bare": [sys.executable, str(ROOT / "bare_app.py")],
                    "empty": audit_tui() + ["--db", str(empty)]}
        for size in self.sizes:
            commands[str(size)] = audit_tui() + ["--db", str(dbs[size])]
        marks = {"bare": {"screen": BARE_TEXT}, **{name: HOME_MARKS for name in commands if name != "bare"}}
        times: dict[tuple[str, str], list[float]] = {}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for name, cmd in commands.items():  # warm-up: page cache, .pyc files
            on_screen(cmd, self.env, marks[name])
        for _ in range(self.repeat):  # interleaved, so that load on the machine falls on all alike
            for name, cmd in commands.items():
                found = on_screen(cmd, self.env, marks[name])
                for mark, result in found.items():
                    if result.returncode != 0 or math.isnan(result.seconds):
                        raise SystemExit(f"start-up of {cmd} failed: {result.stderr}")
                    times.setdefault((name, mark), []).append(result.seconds)
                cpu[name].append(next(iter(found.values())).cpu_seconds)
        bare = median(times[("bare", "screen")])
        bare_cpu = median(cpu["bare"])
        self.results["startup_bare"] = bare
        self.add("Start-up until its text is on the terminal: bare Textual app (floor)", "—", fmt_s(bare), "",
                 f"CPU {fmt_s(bare_cpu)}")
        for name in commands:
            if name == "bare":
                continue
            label = "empty database" if name == "empty" else f"{int(name):,} audits"
            checked = name in ("empty", str(self.mid))
            value = median(times[(name, "screen")])
            self.results[f"startup_{name}"] = value
            self.add(f"Start-up until the home screen is on the terminal (median of {self.repeat})", label,
                     fmt_s(value), fmt_s(bare), f"{value / bare:.2f}× (CPU until killed {median(cpu[name]) / bare_cpu:.2f}×)",
                     "≤ 1.25× floor" if checked else "", value / bare <= 1.25 if checked else None)
            listed = median(times[(name, "list")])
            self.results[f"startup_list_{name}"] = listed
            self.add(f"… until the list of audits is on the terminal (median of {self.repeat})", label,
                     fmt_s(listed), fmt_s(bare), f"{listed / bare:.2f}×", "", None)

    # -- keystroke to saved ----------------------------------------------------------

    def keystroke(self, source: Path, samples: int = 1000) -> None:
        from audit_tui.storage.store import Store

        copy = self.work / "keystroke.db"
        shutil.copyfile(source, copy)
        store = Store(copy, actor="benchmark auditor")
        store.start_background_check()
        store.db.deferred_check and store.db.deferred_check.wait()  # the app runs it once on screen
        rng = random.Random(7)
        drafts = [r[0] for r in store.db.execute(
            "SELECT id FROM audits WHERE status = 'draft' ORDER BY id").fetchall()]
        targets = []
        for audit_id in rng.sample(drafts, min(20, len(drafts))):
            row = store.db.execute("SELECT template_id, template_version FROM audits WHERE id = ?",
                                   [audit_id]).fetchone()
            template = store.template(*row)
            scales = template.scale_map()
            graded = [k for k, _, q in template.questions() if scales[q.scale].graded and not q.only_if]
            targets.append((audit_id, rng.choice(graded)))
        text = ("The young person said she feels safer now that the pathway plan is reviewed every month "
                "with her personal adviser, and she is attending college.")
        times = []
        per_target = max(1, samples // len(targets))
        for audit_id, question in targets:
            for n in range(1, per_target + 1):
                typed = text[: 20 + n % (len(text) - 20)]
                started = time.perf_counter()
                store.set_answer(audit_id, question, evidence=typed)
                times.append(time.perf_counter() - started)
        # floor: the same change as one UPDATE and a durable commit (WAL, synchronous=FULL), no store
        conn = store.db.conn
        floor = []
        for audit_id, question in targets:
            for n in range(1, per_target + 1):
                started = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("UPDATE answers SET evidence = ? WHERE audit_id = ? AND question = ?",
                             [text[: 20 + n % (len(text) - 20)] + " ", audit_id, question])
                conn.execute("COMMIT")
                floor.append(time.perf_counter() - started)
        store.close()
        copy.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        for p in (50, 95):
            value, base = percentile(times, p), percentile(floor, p)
            self.results[f"keystroke_p{p}"] = value
            self.add(f"Keystroke to saved, p{p} (Store.set_answer, {len(times)} edits)", f"{self.mid:,} audits",
                     f"{value * 1000:.2f} ms", f"{base * 1000:.2f} ms", f"{value / base:.1f}×",
                     "≤ 5 ms" if p == 95 else "", value <= 0.005 if p == 95 else None)

    # -- summary and report -----------------------------------------------------------

    def summary_fixed_cost(self) -> None:
        """`summary --json` on an empty database: Python, the imports and opening the store, no figures."""
        empty = self.empty_db("summary-empty.db")
        cmd = audit_tui() + ["summary", "--json", "--db", str(empty), "--as-of", AS_OF]
        run(cmd, self.env)  # warm-up
        seconds = median([run(cmd, self.env).seconds for _ in range(5)])
        self.results["summary_empty"] = seconds
        self.add("summary --json: fixed cost (empty database, median of 5)", "0 audits", fmt_s(seconds))

    def summary(self, size: int, db: Path) -> None:
        out = self.work / f"summary-{size}.json"
        cmd = audit_tui() + ["summary", "--json", "--db", str(db), "--as-of", AS_OF]
        runs = []
        for _ in range(5 if size <= 10_000 else 3):  # (median: one run swings with the machine's load)
            result = run(cmd, self.env, stdout_path=str(out))
            if result.returncode:
                raise SystemExit(f"summary failed: {result.stderr}")
            runs.append(result)
        seconds = median([r.seconds for r in runs])
        rss = max(r.max_rss_mib for r in runs)
        floor_cmd = [sys.executable, "-c",
                     "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                     "c.execute('SELECT question, grade, count(*) FROM answers GROUP BY 1, 2').fetchall()",
                     str(db)]
        floor = median([run(floor_cmd, self.env).seconds for _ in range(3)])
        self.results[f"summary_{size}"] = seconds
        checked = size == 10_000
        self.add(f"summary --json: wall time (median of {len(runs)})", f"{size:,} audits", fmt_s(seconds), fmt_s(floor),
                 f"{seconds / floor:.1f}×", "< 0.5 s" if checked else "", seconds < 0.5 if checked else None)
        self.add("summary --json: peak memory", f"{size:,} audits", f"{rss:.0f} MiB")

    def report(self, size: int, db: Path, repeat: int = 1, floor_max: int = 10_000) -> None:
        out = self.work / f"report-{size}.docx"
        cmd = audit_tui() + ["report", "-o", str(out), "--force", "--db", str(db), "--as-of", AS_OF]
        runs = []
        for _ in range(repeat):
            result = run(cmd, self.env)
            if result.returncode:
                raise SystemExit(f"report failed: {result.stderr}")
            runs.append(result)
        seconds = median([r.seconds for r in runs])
        rss = max(r.max_rss_mib for r in runs)
        figures = self.work / f"figures-{size}.json"  # with the rows the floor writes as tables
        if not figures.exists():
            run(audit_tui() + ["summary", "--json", "--rows", "--db", str(db), "--as-of", AS_OF], self.env,
                stdout_path=str(figures))
        checked = size == 10_000
        self.results[f"report_{size}"] = seconds
        self.results[f"report_rss_{size}"] = rss
        measured = [s for s in self.floors if s <= size]
        if size <= floor_max or not measured:
            floor_runs = [run([sys.executable, str(ROOT / "docx_floor.py"), str(figures),
                               str(self.work / "floor.docx")], self.env) for _ in range(repeat)]
            if floor_runs[0].returncode:
                raise SystemExit(f"docx floor failed: {floor_runs[0].stderr}")
            floor = median([r.seconds for r in floor_runs])
            floor_rss = max(r.max_rss_mib for r in floor_runs)
            self.floors[size] = (floor, floor_rss)
            floor_text, floor_rss_text = fmt_s(floor), f"{floor_rss:.0f} MiB"
        else:  # python-docx row by row takes many minutes here: scaled linearly from the largest run
            base = max(measured)
            floor, floor_rss = (v * size / base for v in self.floors[base])
            floor_text, floor_rss_text = f"≈ {fmt_s(floor)} (×{size / base:g} of {base:,})", f"≈ {floor_rss:.0f} MiB"
        ratio = seconds / floor
        self.add("report: wall time", f"{size:,} audits", fmt_s(seconds), floor_text, f"{ratio:.2f}×",
                 "< 5 s and ≤ 2× floor" if checked else "≤ 2× floor",
                 (seconds < 5 and ratio <= 2) if checked else ratio <= 2)
        self.add("report: peak memory", f"{size:,} audits", f"{rss:.0f} MiB", floor_rss_text,
                 f"{rss / floor_rss:.2f}×", "< 300 MiB" if checked else "", rss < 300 if checked else None)
        self.add("report: file size", f"{size:,} audits", f"{out.stat().st_size / 2**20:.1f} MiB")

    # -- import -------------------------------------------------------------------------

    def import_(self, size: int) -> None:
        source = generate.interchange_path(size)
        runs, floors = [], []
        for _ in range(2 if size <= 1000 else 1):
            target = self.empty_db("import.db")
            # (--as-draft: the generated audits are written straight into the database, and some of those
            # marked completed do not meet the completion gates, which an import checks)
            result = run(audit_tui() + ["import", str(source), "--as-draft", "--db", str(target)], self.env)
            if result.returncode:
                raise SystemExit(f"import failed: {result.stderr}")
            runs.append(result)
            target = self.empty_db("import-floor.db")
            floors.append(run([sys.executable, str(ROOT / "import_floor.py"), str(source), str(target)], self.env))
        seconds = median([r.seconds for r in runs])
        floor = median([r.seconds for r in floors])
        rss = max(r.max_rss_mib for r in runs)
        self.results[f"import_{size}"] = seconds
        checked = size == 10_000
        self.add("import (audit-tui/1 JSON): wall time", f"{size:,} audits "
                 f"({source.stat().st_size / 2**20:.0f} MiB)", fmt_s(seconds), fmt_s(floor),
                 f"{seconds / floor:.1f}×", "< 10 s" if checked else "", seconds < 10 if checked else None)
        self.add("import: peak memory", f"{size:,} audits", f"{rss:.0f} MiB")

    # -- export -------------------------------------------------------------------------

    def export(self, size: int, db: Path) -> None:
        out = self.work / "export.json"
        out.unlink(missing_ok=True)
        result = run(audit_tui() + ["export", str(out), "--db", str(db)], self.env)
        if result.returncode:
            raise SystemExit(f"export failed: {result.stderr}")
        written = out.stat().st_size / 2**20
        out.unlink()
        floor = run([sys.executable, "-c", EXPORT_FLOOR, str(db), str(out)], self.env)
        out.unlink(missing_ok=True)
        self.results[f"export_{size}"] = result.seconds
        self.add("export (audit-tui/1 JSON): wall time", f"{size:,} audits ({written:.0f} MiB)",
                 fmt_s(result.seconds), fmt_s(floor.seconds), f"{result.seconds / floor.seconds:.1f}×")
        self.add("export: peak memory", f"{size:,} audits", f"{result.max_rss_mib:.0f} MiB")

    # -- growth -------------------------------------------------------------------------

    def growth_rows(self) -> None:
        sizes = sorted(self.sizes)
        small, big = sizes[0], sizes[-1]
        for key, label in (("summary", "summary --json"), ("report", "report"), ("import", "import"),
                           ("export", "export"), ("startup", "start-up")):
            have = [s for s in sizes if f"{key}_{s}" in self.results]
            if len(have) < 2:
                continue
            a, b = have[0], have[-1]
            ratio = growth(self.results[f"{key}_{a}"], self.results[f"{key}_{b}"], b / a)
            steps = ", ".join(f"{s:,}: {fmt_s(self.results[f'{key}_{s}'])}" for s in have)
            self.add(f"Growth of {label} per 10× audits", f"{a:,} → {b:,}", f"{ratio:.1f}×", "", steps,
                     "≤ 12×", ratio <= 12)
        del small, big

    def table(self) -> str:
        header = ["Figure", "Data", "audit-tui", "Floor", "Ratio / detail", "Target", "Met"]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for r in self.rows:
            met = "" if r.met is None else ("yes" if r.met else "**no**")
            lines.append("| " + " | ".join([r.figure, r.size, r.value, r.floor, r.ratio, r.target, met]) + " |")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="audit counts (default 1000,10000,50000)")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 audits only")
    parser.add_argument("--repeat", type=int, default=7, help="start-up runs per command (median; default 7)")
    parser.add_argument("--only", default="startup,keystroke,summary,report,import,export",
                        help="comma-separated subset of startup,keystroke,summary,report,import,export")
    parser.add_argument("--json", dest="json_out", help="also write the figures as JSON to this file")
    parser.add_argument("--floor-max", type=int, default=10_000,
                        help="largest size at which the python-docx floor is run (above: scaled; default 10000)")
    args = parser.parse_args(argv)
    use_spawner()  # before anything big is loaded: see benchmarks/measure.py
    # bytecode, as an installed package has (PYTHONDONTWRITEBYTECODE would otherwise compile every start)
    compileall.compile_dir(str(ROOT.parent / "audit_tui"), quiet=1)
    sizes = [1000, 10_000] if args.quick else sorted({int(s.replace("_", "")) for s in args.sizes.split(",")})
    only = set(args.only.split(","))
    started = time.perf_counter()
    host = machine()
    log(host)
    dbs = {}
    for size in sizes:
        log(f"database of {size:,} audits …")
        dbs[size] = generate.db_path(size)
    with tempfile.TemporaryDirectory(prefix="audit-tui-bench-") as tmp:
        bench = Bench(sizes, args.repeat, Path(tmp))
        mid = bench.mid
        if "startup" in only:
            bench.startup(dbs)
        if "keystroke" in only:
            bench.keystroke(dbs[mid])
        if "summary" in only:
            bench.summary_fixed_cost()
        for size in sizes:
            if "summary" in only:
                bench.summary(size, dbs[size])
            if "report" in only:
                bench.report(size, dbs[size], repeat=2 if size <= 1000 else 1, floor_max=args.floor_max)
        for size in sizes:
            if "import" in only:
                bench.import_(size)
            if "export" in only:
                bench.export(size, dbs[size])
        bench.growth_rows()
        table = bench.table()
    print(f"\naudit-tui benchmarks — {host}; {time.perf_counter() - started:.0f} s in all\n")
    print(table)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"machine": host, "results": bench.results}, indent=2))
    return 0 if all(r.met is not False for r in bench.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
