"""Deterministic synthetic audit databases for the benchmarks.

Rows are written with `executemany` in one transaction straight into the app's
schema (created by `audit_tui.storage.db.connect`, so every migration applies);
`answer_themes` is filled with `audit_tui.domain.themes.answer_themes`, exactly as
the store keeps it, and the summary facts are built (`audit_tui.summary.facts`). The same size and seed always give the same database, and
generated files are cached (see `cache_dir`).

    python -m benchmarks.generate 10000          # prints the cached path
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

GENERATOR_VERSION = 3
BASE_DAY = date(2026, 2, 2)
ROUNDS = 36                       # monthly practice weeks going back three years
TEAMS = [f"{area} {n}" for area in ("North", "South", "East", "West", "Central", "Coastal", "Valley", "City")
         for n in ("assessment", "CIN", "CP", "LAC", "leaving care")]
FIRST = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hari", "Isla", "Jon", "Kai", "Lena", "Mo",
         "Nia", "Omar", "Priya", "Rosa", "Sam", "Tariq", "Uma", "Vik", "Wren", "Yara", "Zac"]
LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fisher", "Green", "Hughes", "Iqbal", "Jones", "Khan",
        "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Walsh", "Young"]
OPENINGS = ["The record shows", "The auditor found", "Case notes confirm", "There is clear evidence that",
            "It is not evident that", "The file shows", "Supervision notes record", "The social worker explained"]
CLOSINGS = ["and this is reviewed regularly.", "although the plan has not been updated since the last review.",
            "with the young person's views recorded in their own words.", "but actions have drifted for months.",
            "which has made a measurable difference to the child.", "and the manager has signed this off.",
            "but there is no evidence of management oversight.", "and the family agreed the next steps."]
LIVED = [
    "{name} said she feels safe at home now and wants to stay at her school because her friends are there.",
    "He told his worker that he likes living with his carers and wishes he could see his brother more often.",
    "In her own words she worries about money and feels lonely in her flat, but she enjoys college and her course.",
    "The child was seen alone on every visit and described what a normal day is like with mum and the baby.",
    "Seen.",
    "The young person was visited in line with statutory timescales and the records are up to date in full.",
]
IMPACT = [
    "She now attends school every day and is settled in her placement; her anxiety has reduced since March.",
    "As a result of the plan he is no longer going missing and has re-engaged with his apprenticeship course.",
    "Visits were completed and meetings were held with the family and the school on a regular monthly basis.",
    "Things are better at home: the family is engaging with support and the children feel safer than before.",
    "TBC",
]
ACTIONS = [
    "Social worker to update the pathway plan with the young person by the end of the month",
    "Team manager to hold a reflective supervision and record the decision on the case file within two weeks",
    "Convene a strategy discussion with police and health to review the risks identified",
    "Continue to monitor",
    "Consider a referral to the emotional wellbeing service",
    "Arrange a health assessment and send the outcome to the independent reviewing officer",
    "Book a family group conference and write up the family's plan for the child",
]
GRADES = {  # weights of each level id; unknown scales fall back to uniform
    "ilacs": {"outstanding": 7, "good": 55, "requires_improvement": 30, "inadequate": 8},
    "yes_partly_no": {"yes": 65, "partly": 22, "no": 13},
}


def cache_dir() -> Path:
    base = os.environ.get("AUDIT_TUI_BENCH_CACHE") or Path(tempfile.gettempdir()) / "audit-tui-bench"
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _templates():
    from audit_tui.domain.templates import discover_templates

    found, problems = discover_templates(None)
    if problems:
        raise SystemExit("built-in templates do not load: " + "; ".join(problems))
    return found


def _fingerprint(templates) -> str:
    """Changes with the generator, the templates, the schema (migrations) and how facts are built."""
    from audit_tui.domain.templates import template_to_dict
    from audit_tui.storage import db
    from audit_tui.summary import facts

    blob = json.dumps([template_to_dict(t) for t in templates], sort_keys=True)
    code = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in (db, facts))
    return hashlib.sha256(f"{GENERATOR_VERSION}:{code}:{blob}".encode()).hexdigest()[:10]


def db_path(size: int, seed: int = 1) -> Path:
    """Where the generated database of `size` audits lives (generated when missing)."""
    templates = _templates()
    path = cache_dir() / f"audits-{size}-s{seed}-{_fingerprint(templates)}.db"
    if not path.exists():
        generate(path, size, seed=seed, templates=templates)
    return path


def interchange_path(size: int, seed: int = 1) -> Path:
    """An audit-tui/1 export of the generated database of `size` audits (made with the app's export)."""
    source = db_path(size, seed)
    path = source.with_suffix(".json")
    if not path.exists():
        from audit_tui.exchange.interchange import export_json
        from audit_tui.storage.store import Store

        store = Store(source, actor="benchmark", create=False)
        try:
            tmp = path.with_suffix(".json.part")
            tmp.unlink(missing_ok=True)
            export_json(store, tmp)
            tmp.rename(path)
        finally:
            store.close()
    return path


def _evidence_pool(rng: random.Random, template, n: int = 240) -> list[str]:
    """Evidence texts, most mentioning one or two of the template's theme keywords."""
    keywords = [kw for theme in template.themes for kw in theme.keywords if kw.strip()]
    pool = []
    for _ in range(n):
        picks = rng.sample(keywords, k=min(len(keywords), rng.choice((0, 1, 1, 2))))
        middle = " and ".join(picks) if picks else "the work with the family"
        text = f"{rng.choice(OPENINGS)} {middle} {rng.choice(CLOSINGS)}"
        if rng.random() < 0.5:
            text += f" {rng.choice(OPENINGS)} the plan is clear {rng.choice(CLOSINGS)}"
        pool.append(text)
    return pool


def _weighted(rng: random.Random, scale) -> str:
    weights = GRADES.get(scale.id)
    levels = [lv.id for lv in scale.levels]
    if weights and set(weights) == set(levels):
        return rng.choices(list(weights), weights=list(weights.values()))[0]
    if not scale.graded:  # circumstance questions: mostly "no", so follow-ups are rarely asked
        return levels[-1] if rng.random() < 0.85 else levels[0]
    return rng.choice(levels)


def generate(path: Path, size: int, *, seed: int = 1, templates=None, quiet: bool = False) -> Path:
    """Write a database of `size` audits at `path` (replaced if present)."""
    from audit_tui.domain.models import Answer
    from audit_tui.domain.themes import answer_themes
    from audit_tui.storage.store import Store
    from audit_tui.summary.facts import ensure_facts

    started = time.perf_counter()
    templates = templates or _templates()
    part = path.with_name(path.name + ".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    store = Store(part, actor="benchmark")
    for template in templates:
        store.save_template(template, source="built-in")
    store.close()

    rng = random.Random(seed * 1_000_003 + size)
    people = [f"{first} {last}" for first in FIRST for last in LAST]
    auditors = rng.sample(people, 90)
    workers = rng.sample(people, 400)
    managers = rng.sample(people, 60)
    pools = {t.id: _evidence_pool(rng, t) for t in templates}
    scale_maps = {t.id: t.scale_map() for t in templates}
    questions = {t.id: t.questions() for t in templates}
    tagged_pool = {t.id: [th.id for th in t.themes] for t in templates}
    theme_cache: dict[tuple, dict[str, str]] = {}
    rounds = []
    for n in range(ROUNDS):
        start = (BASE_DAY.replace(day=1) - timedelta(days=30 * n)).replace(day=2)
        rounds.append((f"{start:%Y-%m} practice week", start))

    audits, answers, themes_rows, actions, moderations, mod_answers, concerns, history = ([] for _ in range(8))
    for n in range(size):
        template = templates[n % len(templates)] if n < len(templates) else rng.choice(templates)
        audit_id = f"{rng.getrandbits(128):032x}"
        round_name, start = rounds[min(int(rng.expovariate(1 / 8)), ROUNDS - 1)]
        audited_on = start + timedelta(days=rng.randrange(0, 5))
        status = rng.choices(("completed", "moderated", "draft"), weights=(83, 10, 7))[0]
        stamp = f"{audited_on.isoformat()}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}+00:00"
        case_ref = f"{template.id[:2].upper()}-{rng.randrange(100000):05d}"
        team = rng.choice(TEAMS)
        pool = pools[template.id]
        scales = scale_maps[template.id]
        given: dict[str, str] = {}
        below = []
        for key, _section, question in questions[template.id]:
            cond = question.only_if
            if cond is not None and given.get(cond.question) not in cond.answer_in:
                continue
            if status == "draft" and rng.random() < 0.4:
                continue
            scale = scales.get(question.scale) or scales["ilacs"]
            na_reason = None
            if scale.graded and rng.random() < 0.03:
                grade, na_reason = "n/a", "Not relevant to this child at the time of the audit."
            else:
                grade = _weighted(rng, scale)
            given[key] = grade
            evidence_index = rng.randrange(len(pool)) if scale.graded else -1
            evidence = pool[evidence_index] if evidence_index >= 0 else ""
            tags = (rng.choice(tagged_pool[template.id]),) if tagged_pool[template.id] and rng.random() < 0.08 else ()
            cache_key = (template.id, key, evidence_index, tags)
            found = theme_cache.get(cache_key)
            if found is None:
                found = theme_cache[cache_key] = answer_themes(
                    template, Answer(question=key, grade=grade, evidence=evidence, themes=list(tags)))
            answers.append((audit_id, key, grade, na_reason, evidence, json.dumps(sorted(tags)), stamp))
            themes_rows.extend((audit_id, key, theme, source) for theme, source in found.items())
            level = scale.level(grade)
            if scale.graded and level is not None and not level.good_or_better:
                below.append(key)
        for key in below:
            if status == "draft" and rng.random() < 0.5:
                continue
            due = audited_on + timedelta(days=rng.randrange(7, 90))
            done = rng.random() < 0.45
            actions.append((f"{rng.getrandbits(128):032x}", audit_id, rng.choice(ACTIONS), rng.choice(managers),
                            due.isoformat(), "done" if done else "open", key,
                            (due - timedelta(days=2)).isoformat() if done else None, "", stamp, stamp))
        overall = None
        if status != "draft":
            overall = rng.choices(("outstanding", "good", "requires_improvement", "inadequate"),
                                  weights=(6, 52, 33, 9))[0]
        if status == "moderated":
            mod_overall = overall if rng.random() < 0.8 else rng.choice(("good", "requires_improvement"))
            moderations.append((audit_id, rng.choice(auditors), (audited_on + timedelta(days=10)).isoformat(),
                                mod_overall, "Moderated in the practice-week panel."))
            changed = [k for k in given if given[k] in ("good", "requires_improvement") and rng.random() < 0.1]
            mod_answers.extend((audit_id, k, "requires_improvement" if given[k] == "good" else "good",
                                "Evidence supports a different grade.") for k in changed)
        if rng.random() < 0.0005:
            concerns.append((f"{rng.getrandbits(128):032x}", audit_id, stamp, rng.choice(auditors),
                             "Child disclosed a risk at home that is not being acted on.", None, None, None))
        lived = rng.choice(LIVED).format(name="Jo")
        audits.append((audit_id, case_ref, template.id, template.version, round_name,
                       template.service_areas[0] if template.service_areas else "", team, rng.choice(workers),
                       rng.choice(auditors), audited_on.isoformat(), status, overall, "", lived,
                       rng.choice(IMPACT), stamp, stamp, None if status == "draft" else stamp))
        history.append((stamp, "benchmark", audit_id, "created", None, f"{case_ref} ({template.id} v{template.version})"))

    conn = sqlite3.connect(part, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        """INSERT INTO audits (id, case_ref, template_id, template_version, round, service_area, team, worker,
           auditor, audited_on, status, overall_grade, overall_reason, lived_experience, impact, created_at,
           updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", audits)
    conn.executemany("INSERT INTO answers (audit_id, question, grade, na_reason, evidence, themes, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", answers)
    conn.executemany("INSERT INTO answer_themes (audit_id, question, theme, source) VALUES (?, ?, ?, ?)", themes_rows)
    conn.executemany("""INSERT INTO actions (id, audit_id, description, owner, due, status, question, done_on, note,
                        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", actions)
    conn.executemany("INSERT INTO moderations (audit_id, moderator, moderated_on, overall_grade, comment) "
                     "VALUES (?, ?, ?, ?, ?)", moderations)
    conn.executemany("INSERT INTO moderated_answers (audit_id, question, grade, comment) VALUES (?, ?, ?, ?)",
                     mod_answers)
    conn.executemany("""INSERT INTO concerns (id, audit_id, raised_at, raised_by, description, action_id,
                        handled_at, handled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", concerns)
    conn.executemany("INSERT INTO history (at, who, audit_id, field, old, new) VALUES (?, ?, ?, ?, ?, ?)", history)
    ensure_facts(conn)  # as the first summary after the audits were written would
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    part.rename(path)
    if not quiet:
        print(f"generated {size:,} audits ({len(answers):,} answers, {len(themes_rows):,} theme rows, "
              f"{len(actions):,} actions) in {time.perf_counter() - started:.1f} s: {path}", file=sys.stderr)
    return path


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["1000"]:
        print(db_path(int(arg)))
