"""The feedback conversation with the worker, and child, young person or carer feedback.

A part the Store owns (`store.practice`; see storage.part). The conversation
usually happens after the audit is completed, so it can be recorded on an audit of any status;
every change is committed at once and logged in history as `conversation:FIELD`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from audit_tui.domain.models import Conversation, FamilyFeedback, clean_text, parse_date
from audit_tui.domain.values import now_iso
from audit_tui.domain.values import stored_text as _text
from audit_tui.storage.errors import StoreError
from audit_tui.storage.part import Part

CONVERSATION_FIELDS = ("held_on", "present", "reflection", "agrees", "challenge", "response")
FAMILY_FIELDS = ("how", "said")
AGREES = {"yes": "Yes", "partly": "Partly", "no": "No"}
"""Whether the worker agrees with the grades."""
COLUMNS = (*CONVERSATION_FIELDS, "family_how", "family_said")


class Practice(Part):
    """The feedback conversation and family feedback of an audit; a part the Store owns (`store.practice`)."""

    def set_conversation(self, audit_id: str, **changes: Any) -> None:
        """Record the feedback conversation (`held_on`, `present`, `reflection`, `agrees`: yes/partly/no,
        `challenge`, `response`) and family feedback (`family_how`, `family_said`); saved at once."""
        unknown = set(changes) - set(COLUMNS)
        if unknown:
            raise StoreError(f"unknown conversation field(s): {', '.join(sorted(unknown))}")
        values = {k: _value(k, v) for k, v in changes.items()}
        with self.store.transaction():
            self.store.audit_row(audit_id)
            row = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM conversations WHERE audit_id = ?",
                                  [audit_id]).fetchone()
            old = dict(zip(COLUMNS, row)) if row else dict.fromkeys(COLUMNS)
            new = dict(old)
            new.update(values)
            # a part given at all is kept whole (empty text, not NULL): it travels and comes back as given
            for part in (CONVERSATION_FIELDS, ("family_how", "family_said")):
                if any(k in values for k in part):
                    for k in part:
                        if new[k] is None and k not in ("held_on", "agrees"):
                            new[k] = ""
            if new == old:
                return
            self.db.execute(
                f"""INSERT INTO conversations (audit_id, {', '.join(COLUMNS)}, updated_at)
                    VALUES (?, {', '.join('?' * len(COLUMNS))}, ?)
                    ON CONFLICT (audit_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS)},
                    updated_at = excluded.updated_at""",
                [audit_id, *(new[c] for c in COLUMNS), now_iso()])
            for k in COLUMNS:
                if k in values:
                    self.trail.log(audit_id, f"conversation:{k}", old[k], new[k])
            self.trail.touch(audit_id)


def _value(key: str, value: Any) -> str | None:
    if key == "held_on":
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value.isoformat()
        try:
            return parse_date(str(value)).isoformat()
        except ValueError:
            raise StoreError("the date of the conversation: use YYYY-MM-DD or DD/MM/YYYY") from None
    if key == "agrees":
        if value in (None, ""):
            return None
        if value not in AGREES:
            raise StoreError("whether the worker agrees with the grades is yes, partly or no")
        return value
    return clean_text(str(value or "")).strip()


def parts_of(row: tuple | None) -> tuple[Conversation | None, FamilyFeedback | None]:
    """The conversation and family feedback of a `conversations` row (its COLUMNS, in order): a part
    whose columns are all NULL was never given."""
    if row is None:
        return None, None
    data = dict(zip(COLUMNS, row))
    conversation = None
    if any(data[k] is not None for k in CONVERSATION_FIELDS):
        conversation = Conversation.model_validate(
            {k: data[k] if k in ("held_on", "agrees") else data[k] or "" for k in CONVERSATION_FIELDS})
    family = None
    if data["family_how"] is not None or data["family_said"] is not None:
        family = FamilyFeedback(how=data["family_how"] or "", said=data["family_said"] or "")
    return conversation, family


def row_of(conversation: Conversation | None, family: FamilyFeedback | None) -> tuple | None:
    """The `conversations` row (COLUMNS, in order) of the parts an audit carries; None with neither."""
    if conversation is None and family is None:
        return None
    values: list[Any] = []
    for k in CONVERSATION_FIELDS:
        value = getattr(conversation, k) if conversation else None
        values.append(_text(value) if value is not None else None)
    values += [clean_text(family.how), clean_text(family.said)] if family else [None, None]
    return tuple(values)
