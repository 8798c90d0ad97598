"""The database's schema: one migration a function, applied in order, never changed once shipped."""

from __future__ import annotations

from audit_tui.storage.sqlite import sqlite_utils

migrations = sqlite_utils.Migrations("audit-tui")
# The schema version is the number of migrations: add migrations at the end of the module
# (one function each, named NNNN_what) and never change one that has shipped.


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db["templates"].create(
        {"id": str, "version": int, "title": str, "body": str, "source": str, "added_at": str},
        pk=("id", "version"),
    )
    db["audits"].create(
        {
            "id": str, "case_ref": str, "template_id": str, "template_version": int,
            "round": str, "service_area": str, "team": str, "worker": str, "auditor": str,
            "audited_on": str, "status": str, "overall_grade": str, "overall_reason": str,
            "lived_experience": str, "impact": str,
            "created_at": str, "updated_at": str, "completed_at": str,
        },
        pk="id",
        not_null={"case_ref", "template_id", "template_version", "audited_on", "status"},
        defaults={"status": "draft", "round": "", "service_area": "", "team": "", "worker": "",
                  "auditor": "", "overall_reason": "", "lived_experience": "", "impact": ""},
    )
    for column in ("case_ref", "round", "team", "status", "updated_at", "audited_on"):
        db["audits"].create_index([column])
    db["answers"].create(
        {"audit_id": str, "question": str, "grade": str, "na_reason": str, "evidence": str,
         "themes": str, "updated_at": str},
        pk=("audit_id", "question"),
        foreign_keys=[("audit_id", "audits", "id")],
        defaults={"evidence": "", "themes": "[]"},
    )
    db["answer_themes"].create(
        {"audit_id": str, "question": str, "theme": str, "source": str},
        pk=("audit_id", "question", "theme"),
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["answer_themes"].create_index(["theme"])
    db["actions"].create(
        {"id": str, "audit_id": str, "description": str, "owner": str, "due": str, "status": str,
         "question": str, "done_on": str, "note": str, "created_at": str, "updated_at": str},
        pk="id",
        foreign_keys=[("audit_id", "audits", "id")],
        defaults={"status": "open", "description": "", "owner": "", "note": ""},
    )
    db["actions"].create_index(["audit_id"])
    db["concerns"].create(
        {"id": str, "audit_id": str, "raised_at": str, "raised_by": str, "description": str,
         "action_id": str, "handled_at": str, "handled_by": str},
        pk="id",
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["moderations"].create(
        {"audit_id": str, "moderator": str, "moderated_on": str, "overall_grade": str, "comment": str},
        pk="audit_id",
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["moderated_answers"].create(
        {"audit_id": str, "question": str, "grade": str, "comment": str},
        pk=("audit_id", "question"),
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["history"].create(
        {"id": int, "at": str, "who": str, "audit_id": str, "field": str, "old": str, "new": str},
        pk="id",
    )
    db["history"].create_index(["audit_id"])
    # Append-only: settled rows can never change; only the newest row may have its
    # `new` value extended while the same person keeps typing in the same field.
    db.execute(
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER history_no_rewrite BEFORE UPDATE ON history
           WHEN OLD.id != (SELECT max(id) FROM history) OR NEW.id != OLD.id
             OR NEW.audit_id IS NOT OLD.audit_id OR NEW.field IS NOT OLD.field
             OR NEW.old IS NOT OLD.old OR NEW.who IS NOT OLD.who
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"""
    )


def schema_version() -> int:
    return len(migrations._migrations)


def migrate(db: sqlite_utils.Database) -> None:
    """Apply pending migrations holding the write lock, so two sessions never migrate at once."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if migrations.pending(db):  # another session may have just done it
            migrations.apply(db)
            db.execute(f"PRAGMA user_version={schema_version()}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@migrations(name="0002_training")
def _training(db: sqlite_utils.Database) -> None:
    """Training mode: which audits are a trainee's audit of a sample case; reference rationales."""
    db["training_audits"].create(
        {"audit_id": str, "sample_case": str, "trainee": str, "started_at": str},
        pk="audit_id",
        foreign_keys=[("audit_id", "audits", "id")],
        not_null={"sample_case"},
    )
    db["training_audits"].create_index(["trainee"])
    db["answers"].add_column("rationale", str, not_null_default="")


@migrations(name="0003_rounds")
def _rounds(db: sqlite_utils.Database) -> None:
    """Rounds and their case lists (allocations); the documented views for BI tools.

    `answers_view`: one row per answer with its audit's fields; `final_grade` is the
    moderator's grade when the moderator changed it, else the auditor's.
    `actions_view`: one row per action with its audit's fields; `overdue` is 1 for an
    open action due before today (date('now'), UTC). Training audits (a trainee's audit of
    a fictional sample case) are left out of both, as they are of every figure.
    """
    db.execute(
        """CREATE TABLE rounds (name TEXT PRIMARY KEY COLLATE NOCASE, starts TEXT NOT NULL, ends TEXT NOT NULL,
           templates TEXT NOT NULL DEFAULT '[]', created_at TEXT)""")
    db.execute(
        """CREATE TABLE allocations (id INTEGER PRIMARY KEY, round TEXT NOT NULL REFERENCES rounds(name),
           case_ref TEXT NOT NULL, service_area TEXT NOT NULL DEFAULT '', team TEXT NOT NULL DEFAULT '',
           worker TEXT NOT NULL DEFAULT '', auditor TEXT NOT NULL DEFAULT '', template_id TEXT NOT NULL DEFAULT '',
           audit_id TEXT REFERENCES audits(id), created_at TEXT, updated_at TEXT)""")
    db.execute("CREATE UNIQUE INDEX allocations_round_case ON allocations (round, case_ref COLLATE NOCASE)")
    db.execute("CREATE INDEX allocations_auditor ON allocations (auditor COLLATE NOCASE)")
    db.execute("CREATE INDEX allocations_audit ON allocations (audit_id)")
    db.execute(
        """CREATE VIEW answers_view AS
           SELECT a.id AS audit_id, a.case_ref, a.round, a.template_id, a.template_version, a.service_area,
                  a.team, a.worker, a.auditor, a.audited_on, a.status AS audit_status,
                  COALESCE(m.overall_grade, a.overall_grade) AS overall_grade,
                  substr(ans.question, 1, instr(ans.question, '.') - 1) AS section,
                  ans.question, ans.grade AS auditor_grade, ma.grade AS moderated_grade,
                  COALESCE(ma.grade, ans.grade) AS final_grade, ans.na_reason, ans.evidence,
                  ma.comment AS moderation_comment, m.moderator,
                  (SELECT group_concat(t.theme, '; ') FROM answer_themes t
                    WHERE t.audit_id = ans.audit_id AND t.question = ans.question) AS themes
           FROM answers ans JOIN audits a ON a.id = ans.audit_id
           LEFT JOIN moderations m ON m.audit_id = a.id
           LEFT JOIN moderated_answers ma ON ma.audit_id = ans.audit_id AND ma.question = ans.question
           WHERE NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)""")
    db.execute(
        """CREATE VIEW actions_view AS
           SELECT x.id AS action_id, a.id AS audit_id, a.case_ref, a.round, a.template_id, a.service_area,
                  a.team, a.worker, a.auditor, a.audited_on, a.status AS audit_status,
                  x.description, x.owner, x.due, x.status, x.question, x.done_on, x.note,
                  CASE WHEN x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < date('now')
                       THEN 1 ELSE 0 END AS overdue,
                  CASE WHEN x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < date('now')
                       THEN CAST(julianday(date('now')) - julianday(x.due) AS INTEGER) END AS days_overdue
           FROM actions x JOIN audits a ON a.id = x.audit_id
           WHERE NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)""")


# The summary's per-audit facts (a cache, see core.summary.facts), and the tables a change to an
# audit's figures touches with the column naming the audit.
FACT_TABLES = ("audit_facts", "answer_facts", "theme_facts", "action_facts")
_FACT_SOURCES = {"audits": "id", "answers": "audit_id", "answer_themes": "audit_id", "actions": "audit_id",
                 "moderations": "audit_id", "moderated_answers": "audit_id", "training_audits": "audit_id"}


@migrations(name="0004_facts")
def _facts(db: sqlite_utils.Database) -> None:
    """Per-audit figures of counted audits, kept so that summaries aggregate narrow tables (core.facts).

    They are a cache: triggers delete an audit's facts on any change to it, by any program,
    and `core.facts.ensure_facts` builds the missing ones before a summary.
    """
    db.execute(
        """CREATE TABLE audit_facts (no INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, case_ref TEXT NOT NULL,
           template_id TEXT NOT NULL, template_version INTEGER NOT NULL, round TEXT, service_area TEXT,
           team TEXT NOT NULL,
           worker TEXT, auditor TEXT, audited_on TEXT NOT NULL, status TEXT NOT NULL,
           overall TEXT, auditor_overall TEXT, moderated INTEGER NOT NULL, lived_ok INTEGER NOT NULL,
           impact_ok INTEGER NOT NULL, actions_ok INTEGER NOT NULL, answered INTEGER NOT NULL DEFAULT 0,
           good_or_better INTEGER NOT NULL DEFAULT 0)""")
    db.execute("CREATE INDEX audit_facts_team ON audit_facts (team)")
    db.execute(
        """CREATE TABLE answer_facts (no INTEGER NOT NULL, question TEXT NOT NULL, template_id TEXT NOT NULL,
           version INTEGER NOT NULL, section_id TEXT NOT NULL, team TEXT NOT NULL, judged INTEGER NOT NULL,
           grade TEXT NOT NULL, auditor_grade TEXT, moderated INTEGER NOT NULL, gob INTEGER NOT NULL,
           rank INTEGER, auditor_rank INTEGER, section_first INTEGER NOT NULL DEFAULT 0,
           PRIMARY KEY (no, question)) WITHOUT ROWID""")
    db.execute("CREATE INDEX answer_facts_figures ON answer_facts (template_id, question, section_id, judged, grade, "
               "team, gob, section_first)")
    db.execute(
        """CREATE TABLE theme_facts (no INTEGER NOT NULL, theme TEXT NOT NULL, strength INTEGER NOT NULL,
           first INTEGER NOT NULL, pref INTEGER NOT NULL, question TEXT NOT NULL, case_ref TEXT NOT NULL,
           audit_id TEXT NOT NULL, PRIMARY KEY (no, theme, strength)) WITHOUT ROWID""")
    db.execute("CREATE INDEX theme_facts_quotes ON theme_facts (theme, strength, pref, case_ref, audit_id, question)")
    db.execute("CREATE INDEX theme_facts_counts ON theme_facts (theme, strength, first)")
    db.execute(
        """CREATE TABLE action_facts (no INTEGER NOT NULL, action_id TEXT NOT NULL, status TEXT NOT NULL,
           due TEXT NOT NULL, PRIMARY KEY (no, action_id)) WITHOUT ROWID""")
    # grades without the evidence beside them: facts are built, and moderation compared, from this index
    db.execute("CREATE INDEX answers_grades ON answers (audit_id, question, grade)")
    db.execute("""CREATE TRIGGER audit_facts_drop AFTER DELETE ON audit_facts BEGIN
                    DELETE FROM answer_facts WHERE no = OLD.no; DELETE FROM theme_facts WHERE no = OLD.no;
                    DELETE FROM action_facts WHERE no = OLD.no; END""")
    for table in _FACT_SOURCES:
        stale_facts_triggers(db, table)


def stale_facts_triggers(db: sqlite_utils.Database, table: str) -> None:
    """Triggers that delete an audit's facts on any change to `table`'s rows of it."""
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        if table == "audits" and event == "INSERT":
            continue  # a new audit has no facts yet
        db.execute(f"""CREATE TRIGGER {table}_{event.lower()}_stale_facts AFTER {event} ON {table} BEGIN
                         DELETE FROM audit_facts WHERE id = {row}.{_FACT_SOURCES[table]}; END""")


@migrations(name="0005_answer_themes_one_tree")
def _answer_themes_one_tree(db: sqlite_utils.Database) -> None:
    """`answer_themes` in one b-tree (WITHOUT ROWID, its key the row) and without its index on theme,
    which nothing reads by: a smaller database, and less for imports to write.
    Rows, views and triggers are as before."""
    views = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view' AND sql LIKE '%answer_themes%'"
                       ).fetchall()
    for name, _ in views:
        db.execute(f"DROP VIEW {name}")
    db.execute(
        """CREATE TABLE answer_themes_new (audit_id TEXT REFERENCES audits(id), question TEXT, theme TEXT,
           source TEXT, PRIMARY KEY (audit_id, question, theme)) WITHOUT ROWID""")
    db.execute("""INSERT INTO answer_themes_new SELECT audit_id, question, theme, source FROM answer_themes
                  WHERE audit_id IS NOT NULL AND question IS NOT NULL AND theme IS NOT NULL""")  # (a key is whole)
    db.execute("DROP TABLE answer_themes")  # with its index and triggers; no trigger fires
    db.execute("ALTER TABLE answer_themes_new RENAME TO answer_themes")
    stale_facts_triggers(db, "answer_themes")
    for _, sql in views:
        db.execute(sql)


@migrations(name="0006_history_ref")
def _history_ref(db: sqlite_utils.Database) -> None:
    """`history.ref`: which edit a row records. A new row gets a random ref, kept while its author keeps
    typing (the row is extended); an import's row gets one derived from the file. Merge tells one
    edit extended from two edits by it, and two imports of the same file as one. Older rows have none."""
    db.execute("ALTER TABLE history ADD COLUMN ref TEXT")
    db.execute("DROP TRIGGER history_no_rewrite")
    db.execute(
        """CREATE TRIGGER history_no_rewrite BEFORE UPDATE ON history
           WHEN OLD.id != (SELECT max(id) FROM history) OR NEW.id != OLD.id
             OR NEW.audit_id IS NOT OLD.audit_id OR NEW.field IS NOT OLD.field
             OR NEW.old IS NOT OLD.old OR NEW.who IS NOT OLD.who OR NEW.ref IS NOT OLD.ref
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"""
    )


@migrations(name="0007_safeguarding_loop")
def _safeguarding_loop(db: sqlite_utils.Database) -> None:
    """Safeguarding that closes the loop: the auditor's statement before completing (`audits.safeguarding`,
    NULL for audits completed before it existed: they stay completed), and on each concern who was told,
    when and how, the team and service managers the urgent action goes to, the 18–25 route and the
    outcome it was closed with. Concerns raised before keep empty values and still load. Changing an
    audit's statement deletes its stored facts, as any change to `audits` does."""
    db["audits"].add_column("safeguarding", str)
    for column in ("told_who", "told_at", "told_how", "team_manager", "service_manager", "route", "outcome"):
        db["concerns"].add_column(column, str, not_null_default="")


@migrations(name="0008_conversations")
def _conversations(db: sqlite_utils.Database) -> None:
    """The feedback conversation with the worker (date, who was present, their reflection, whether they
    agree with the grades, any challenge and the auditor's response) and child, young person or carer
    feedback (how gathered, what they said): one row per audit that has either, NULL columns for a part
    never given. Nothing the summary stores as facts is read from it: no facts trigger is needed."""
    db.execute(
        """CREATE TABLE conversations (audit_id TEXT PRIMARY KEY REFERENCES audits(id), held_on TEXT, present TEXT,
           reflection TEXT, agrees TEXT, challenge TEXT, response TEXT, family_how TEXT, family_said TEXT,
           updated_at TEXT)""")


@migrations(name="0009_governance")
def _governance(db: sqlite_utils.Database) -> None:
    """Data governance: the names to redact in each audit's documents (`audit_privacy`), and the one
    explicit, logged way to delete audits with their history (core.governance): `retention_pending`
    lists the audits being deleted inside that transaction (history's no-delete trigger lets their
    rows go, and no other), and `deletion_log` records who deleted how many, when; it is append-only.
    Deleting an audit deletes its stored facts through the existing triggers."""
    db.execute("""CREATE TABLE audit_privacy (audit_id TEXT PRIMARY KEY REFERENCES audits(id),
                  redact_names TEXT NOT NULL DEFAULT '[]')""")
    db.execute("CREATE TABLE retention_pending (audit_id TEXT PRIMARY KEY)")
    db.execute("""CREATE TABLE deletion_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL,
                  kind TEXT NOT NULL, detail TEXT NOT NULL, audits INTEGER NOT NULL, history_rows INTEGER NOT NULL)""")
    for event in ("UPDATE", "DELETE"):
        db.execute(f"""CREATE TRIGGER deletion_log_no_{event.lower()} BEFORE {event} ON deletion_log
                       BEGIN SELECT RAISE(ABORT, 'the deletion log is append-only'); END""")
    db.execute("DROP TRIGGER history_no_delete")
    db.execute(
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           WHEN NOT EXISTS (SELECT 1 FROM retention_pending WHERE audit_id = OLD.audit_id)
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"""
    )


@migrations(name="0010_lead_conclusions")
def _lead_conclusions(db: sqlite_utils.Database) -> None:
    """The quality lead's conclusions (storage.conclusions): a commentary per round, the round's service-level
    recommendations (what, lead, measurable outcome, due date, RAG status red/amber/green) and a target per
    headline measure (a percentage, the trend chart's line). A round is named as audits name it (the
    `rounds` table need not have it: an imported round may not). Nothing here is an audit's: no facts trigger."""
    db.execute("""CREATE TABLE round_commentary (round TEXT PRIMARY KEY COLLATE NOCASE, commentary TEXT NOT NULL,
                  updated_at TEXT)""")
    db.execute("""CREATE TABLE recommendations (id TEXT PRIMARY KEY, round TEXT NOT NULL COLLATE NOCASE,
                  what TEXT NOT NULL, lead TEXT NOT NULL, outcome TEXT NOT NULL, due TEXT NOT NULL,
                  rag TEXT NOT NULL CHECK (rag IN ('red', 'amber', 'green')), created_at TEXT, updated_at TEXT)""")
    db.execute("CREATE INDEX recommendations_round ON recommendations (round)")
    db.execute("""CREATE TABLE measure_targets (measure TEXT PRIMARY KEY, target REAL NOT NULL
                  CHECK (target >= 0 AND target <= 100), updated_at TEXT)""")


@migrations(name="0011_actions_followup")
def _actions_followup(db: sqlite_utils.Database) -> None:
    """Actions that help, and re-audit. On each action its `kind` (case, learning, service; 'case' for
    the actions made before) and `questions`: JSON of every question it answers when more than one
    (NULL: just `question`). On each answer `no_action`: why a grade below good needs no action ('' for
    none). On each audit: `follows`, the earlier audit of the same case this one follows up; `followup_impact`
    and `followup_note`, whether the earlier audit's actions made a difference (the impact scale); and
    `reaudit_due`, the re-audit date the lead set for an inadequate audit. Every column is on a table the
    facts triggers already watch."""
    db["actions"].add_column("kind", str, not_null_default="case")
    db["actions"].add_column("questions", str)
    db["answers"].add_column("no_action", str, not_null_default="")
    for column in ("follows", "followup_impact", "followup_note", "reaudit_due"):
        db["audits"].add_column(column, str)
    db["audits"].create_index(["follows"])
    db.execute("DROP VIEW actions_view")  # BI tools read the kind there too
    db.execute(
        """CREATE VIEW actions_view AS
           SELECT x.id AS action_id, a.id AS audit_id, a.case_ref, a.round, a.template_id, a.service_area,
                  a.team, a.worker, a.auditor, a.audited_on, a.status AS audit_status,
                  x.description, x.owner, x.due, x.status, x.question, x.done_on, x.note,
                  CASE WHEN x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < date('now')
                       THEN 1 ELSE 0 END AS overdue,
                  CASE WHEN x.status = 'open' AND COALESCE(x.due, '') != '' AND x.due < date('now')
                       THEN CAST(julianday(date('now')) - julianday(x.due) AS INTEGER) END AS days_overdue,
                  x.kind, COALESCE(x.questions, CASE WHEN x.question IS NULL THEN '[]' ELSE json_array(x.question) END)
                    AS questions
           FROM actions x JOIN audits a ON a.id = x.audit_id
           WHERE NOT EXISTS (SELECT 1 FROM training_audits tr WHERE tr.audit_id = a.id)""")
