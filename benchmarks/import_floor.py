"""The import's floor: read an audit-tui/1 file and insert its rows with executemany.

    python benchmarks/import_floor.py FILE.json EMPTY.db

No validation, no theme index, no history: the least an import can do.
"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(source: str, target: str) -> None:
    with open(source, "rb") as handle:
        data = json.loads(handle.read().decode("utf-8"))
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO templates (id, version, title, body) VALUES (?, ?, ?, ?)",
        [(t["id"], t["version"], t["title"], json.dumps(t)) for t in data["templates"]])
    fields = ("id", "case_ref", "template_id", "template_version", "round", "service_area", "team", "worker",
              "auditor", "audited_on", "status", "overall_grade", "overall_reason", "lived_experience", "impact")
    conn.executemany(f"INSERT INTO audits ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
                     [tuple(a.get(f) for f in fields) for a in data["audits"]])
    conn.executemany(
        "INSERT INTO answers (audit_id, question, grade, na_reason, evidence, themes) VALUES (?, ?, ?, ?, ?, ?)",
        [(a["id"], x["question"], x["grade"], x["na_reason"], x["evidence"], json.dumps(x["themes"]))
         for a in data["audits"] for x in a["answers"]])
    conn.executemany(
        "INSERT INTO actions (id, audit_id, description, owner, due, status, question) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(x["id"], a["id"], x["description"], x["owner"], x["due"], x["status"], x["question"])
         for a in data["audits"] for x in a["actions"]])
    conn.execute("COMMIT")
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
