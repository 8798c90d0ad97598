"""The walk-through: sections on the left, the current question, narratives or actions on the right.

Every change is saved at once through the store; the bar shows when it was saved.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, OptionList, Static
from textual.widgets.option_list import Option

from audit_tui.domain.gates import (
    action_problems,
    active_questions,
    below_good,
    is_answered,
    is_graded,
    is_placeholder,
    question_label,
)
from audit_tui.tui.unsaved import AUDIT_LEVEL, UnsavedChanges
from audit_tui.tui.widgets.actions import ActionsChanged, ActionsPanel
from audit_tui.tui.widgets.keyfooter import KeyFooter
from audit_tui.tui.widgets.narratives import NarrativesPanel
from audit_tui.tui.widgets.question import AnswerEdited, QuestionPanel
from audit_tui.tui.widgets.saving import SavesEdits

NARRATIVES, ACTIONS, REVIEW, CONVERSATION = "@narratives", "@actions", "@review", "@conversation"


class AuditScreen(SavesEdits, Screen[None]):
    """Walk through one audit; nothing to save — every change is saved as you make it."""

    CSS_PATH = "audit.tcss"

    FOOTER = ("next_question", "previous_question", "review", "concern", "close", "help")
    """The footer's keys, most needed first (every key is in F1 and the palette)."""
    BINDINGS = [
        # Keys every terminal, tmux and screen deliver, and that do nothing harmful if they reach a text box
        # (not ctrl+h = Backspace, ctrl+b = tmux, ctrl+a = screen, ctrl+w/u/k delete text).
        Binding("pagedown,ctrl+n", "next_question", "Next", priority=True, key_display="PgDn", id="audit.next"),
        Binding("pageup", "previous_question", "Previous", priority=True, key_display="PgUp", id="audit.previous"),
        Binding("ctrl+g", "sections", "Sections", priority=True, id="audit.sections"),
        Binding("ctrl+l", "narratives", "Narratives", priority=True, id="audit.narratives"),
        Binding("ctrl+t", "new_action", "New action", priority=True, id="audit.new_action"),
        Binding("ctrl+o", "actions", "Actions", priority=True, id="audit.actions"),
        Binding("ctrl+r", "review", "Review", priority=True, id="audit.review"),
        Binding("ctrl+f", "concern", "Flag concern", priority=True, id="audit.concern"),
        Binding("ctrl+s", "saved", "Saved", show=False, priority=True, id="audit.saved"),
        Binding("f7", "history", "History", show=False, priority=True, id="audit.history"),
        Binding("f5", "conversation", "Conversation", show=False, priority=True, id="audit.conversation"),
        Binding("f6", "feedback", "Feedback doc", show=False, priority=True, id="audit.feedback"),
        Binding("f8", "no_action", "No action because", show=False, priority=True, id="audit.no_action"),
        Binding("f9", "followup", "Follow-up", show=False, priority=True, id="audit.followup"),
        Binding("escape", "close", "Home", key_display="Esc", id="audit.close"),
    ]

    def __init__(self, audit_id: str) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.current = ""
        self.unsaved = UnsavedChanges()
        self._asking = False  # a conflict dialog is open
        self._later: set[str] = set()  # conflicts left for later (widgets/saving.py)

    @property
    def store(self):
        return self.app.store

    def compose(self) -> ComposeResult:
        self.audit = self.store.get_audit(self.audit_id)
        self.unsaved.read(self.audit)
        self.template = self.store.template_of(self.audit)
        yield Header()
        with Horizontal(id="audit-bar"):
            yield Static("", id="audit-title", markup=False)
            yield Static("", id="saved", markup=False)
        yield Static("", id="audit-concerns", markup=False)
        with Horizontal(id="audit-body"):
            yield OptionList(id="nav")
            with ContentSwitcher(initial="question", id="main"):
                yield QuestionPanel(self.template, id="question")
                yield NarrativesPanel(id="narratives")
                yield ActionsPanel(self.template, id="actions")
            yield from self.compose_side()
        yield KeyFooter()

    def compose_side(self) -> ComposeResult:
        """Widgets beside the form (training mode shows the case record here)."""
        yield from ()

    def on_mount(self) -> None:
        self.refresh_all()
        keys = self.active_keys()
        answers = self.answers()
        first = next((k for k in keys if not is_answered(answers.get(k))), keys[0] if keys else "")
        self.show_question(self.last_edited(keys) or first)
        self.focus_grades()

    def last_edited(self, keys: list[str]) -> str | None:
        """The question changed last (from the history), to resume where the auditor left off."""
        for row in reversed(self.store.history(self.audit_id)):
            key = row["field"].split(":")[0]
            if key in keys:
                return key
        return None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """PgUp and PgDn scroll the case record while it has the focus (training); elsewhere they change question."""
        if action in ("next_question", "previous_question") and self.focused is not None and any(
                node.id == "record-pane" for node in self.focused.ancestors_with_self):
            return False
        return True

    # -- state ------------------------------------------------------------------

    @property
    def readonly(self) -> bool:
        return self.audit.status != "draft"

    def answers(self):
        return {a.question: a for a in self.audit.answers}

    def active_keys(self) -> list[str]:
        return active_questions(self.template, self.answers())

    def reload(self) -> None:
        """Re-read the audit (after actions, review or reopening) and redraw everything."""
        self.retry_unsaved(quiet=True)
        self.audit = self.store.get_audit(self.audit_id)
        self.unsaved.read(self.audit)
        self.unsaved.overlay(self.audit)  # what could not be saved stays on screen
        self.refresh_all()
        if self.current:
            switcher = self.query_one("#main", ContentSwitcher)
            view = switcher.current
            self.show_question(self.current)
            switcher.current = view

    def refresh_all(self) -> None:
        status = self.audit.status
        lock = f"🔒 {status}, read only (^r to reopen) · " if self.readonly else f"{status} · "
        self.query_one("#audit-title", Static).update(Text(
            f"{self.audit.case_ref} · {lock}{self.template.title} v{self.template.version}", no_wrap=True,
            overflow="ellipsis"))
        concerns = [c for c in self.audit.concerns if c.handled_at is None]
        banner = self.query_one("#audit-concerns", Static)
        banner.display = bool(concerns)
        banner.update("\n".join(f"⚠ SAFEGUARDING CONCERN raised {c.raised_at[:16].replace('T', ' ')}: "
                                f"{c.description}" for c in concerns))
        self.refresh_nav()
        self.query_one(NarrativesPanel).show(self.audit, readonly=self.readonly)
        self.query_one(ActionsPanel).show(self.audit, readonly=self.readonly)

    def refresh_nav(self) -> None:
        nav = self.query_one("#nav", OptionList)
        highlighted = nav.highlighted
        answers = self.answers()
        active = set(self.active_keys())
        options = []
        for section in self.template.sections:
            keys = [f"{section.id}.{q.id}" for q in section.questions
                    if f"{section.id}.{q.id}" in active and q.required]
            done = sum(1 for k in keys if is_answered(answers.get(k)))
            style = "green" if done == len(keys) else ""
            options.append(Option(Text(f"{done}/{len(keys)} {section.title}", style=style, no_wrap=True,
                                       overflow="ellipsis"), id=section.id))
        options.append(None)
        options.append(Option(Text("✎ Lived experience & impact"), id=NARRATIVES))
        actions = self.audit.actions
        complete = bool(actions) and not any(action_problems(a, self.audit.audited_on) for a in actions)
        options.append(Option(Text(f"{'☑' if complete else '☐'} Actions ({len(actions)})"), id=ACTIONS))
        options.append(Option(Text("✔ Review & complete"), id=REVIEW))
        held = self.audit.conversation is not None and self.audit.conversation.held_on is not None
        options.append(Option(Text(f"💬 Feedback conversation{' ✓' if held else ''} (F5)"), id=CONVERSATION))
        nav.set_options(options)
        if highlighted is not None:
            nav.highlighted = min(highlighted, nav.option_count - 1)

    # -- moving about -------------------------------------------------------------

    def show_question(self, key: str) -> None:
        if not key:
            return
        self.current = key
        keys = self.active_keys()
        section = next(s for s in self.template.sections if key.startswith(s.id + "."))
        # named as the review, moderation and history name it: "Pathway planning Q2"
        position = (f"{question_label(self.template, key)} of {len(section.questions)} · "
                    f"{keys.index(key) + 1 if key in keys else '?'}/{len(keys)} overall")
        self.query_one(QuestionPanel).show(key, position, self.answers().get(key), readonly=self.readonly)
        self.query_one("#main", ContentSwitcher).current = "question"
        nav = self.query_one("#nav", OptionList)
        nav.highlighted = [s.id for s in self.template.sections].index(section.id)

    def focus_grades(self) -> None:
        self.query_one("#q-grades").focus()

    def go_to(self, target: tuple[str, str]) -> None:
        """Jump to where a gate or warning points."""
        kind, where = target
        if kind == "question":
            self.show_question(where)
            answer = self.answers().get(where)
            if answer is not None and is_graded(self.template, answer) and (
                    not answer.evidence.strip() or is_placeholder(answer.evidence)):
                self.query_one("#q-evidence").focus()  # graded, and what is missing is the evidence
            else:
                self.focus_grades()
        elif kind == "narrative":
            self.action_narratives()
            self.query_one(NarrativesPanel).focus_field(where)
        elif kind == "action":
            self.action_actions()
            self.query_one(ActionsPanel).select(where)
        elif kind == "followup":
            self.action_followup()

    @on(OptionList.OptionSelected, "#nav")
    def _nav_selected(self, event: OptionList.OptionSelected) -> None:
        target = event.option.id
        if target == NARRATIVES:
            self.action_narratives()
        elif target == ACTIONS:
            self.action_actions()
        elif target == REVIEW:
            self.action_review()
        elif target == CONVERSATION:
            self.action_conversation()
        else:
            keys = [k for k in self.active_keys() if k.startswith(target + ".")]
            answers = self.answers()
            key = next((k for k in keys if not is_answered(answers.get(k))), keys[0] if keys else "")
            self.show_question(key)
            self.focus_grades()

    def _step(self, offset: int) -> None:
        keys = self.active_keys()
        if self.query_one("#main", ContentSwitcher).current != "question" or self.current not in keys:
            self.show_question(self.current or keys[0])
        else:
            index = keys.index(self.current) + offset
            if 0 <= index < len(keys):
                self.show_question(keys[index])
            elif index >= len(keys):
                self.notify("That was the last question: next, the narratives (ctrl+l) and review (ctrl+r).")
                return
        self.focus_grades()

    def action_next_question(self) -> None:
        self._step(1)

    def action_previous_question(self) -> None:
        self._step(-1)

    def action_sections(self) -> None:
        self.query_one("#nav", OptionList).focus()

    def action_narratives(self) -> None:
        self.query_one("#main", ContentSwitcher).current = "narratives"
        self.query_one(NarrativesPanel).focus_field("lived_experience")

    def action_actions(self) -> None:
        self.query_one("#main", ContentSwitcher).current = "actions"
        self.query_one("#actions-table").focus()

    def action_new_action(self) -> None:
        on_question = self.query_one("#main", ContentSwitcher).current == "question"
        self.query_one(ActionsPanel).edit(None, question=self.current if on_question else None)

    def action_no_action(self) -> None:
        """Say why the current question's grade below good needs no new action (instead of an action)."""
        from audit_tui.tui.widgets.actions import NoActionDialog

        answer = self.answers().get(self.current)
        if self.readonly or answer is None or not below_good(self.template, answer):
            self.notify("F8 is for a question graded below good: say why it needs no new action.", timeout=4)
            return

        def given(reason: str | None) -> None:
            if reason is not None and self.save(lambda: self.store.set_no_action(self.audit_id, self.current, reason)):
                self.reload()

        self.app.push_screen(NoActionDialog(question_label(self.template, self.current), answer.no_action), given)

    def action_followup(self) -> None:
        """Which earlier audit of the case this one follows up, and whether its actions made a difference."""
        from audit_tui.tui.screens.case import edit_followup

        edit_followup(self.app, self.audit, self.reload)

    def action_saved(self) -> None:
        self._later.clear()  # ctrl+s: the conflicts left for later are asked now
        if self.unsaved:
            if self.retry_unsaved():
                self.notify("Saved.", timeout=3)
            return
        self.notify("Every change is saved as you make it — there is nothing else to save.", timeout=3)

    def action_close(self) -> None:
        if self.unsaved and not self.retry_unsaved() and not self.unsaved.confirm_leave():
            self.notify("Some changes are not saved yet (see the message above). Press ctrl+s to try again, "
                        "or Esc again to leave without them.", title="Not saved", severity="warning")
            return
        self.app.pop_screen()

    def action_history(self) -> None:
        from audit_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.audit_id))

    def action_feedback(self) -> None:
        from audit_tui.tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(self.audit_id, self.audit.case_ref))

    def action_review(self) -> None:
        from audit_tui.tui.screens.review import ReviewScreen

        def back(target: tuple[str, str] | None) -> None:
            self.reload()
            if target:
                self.go_to(target)

        self.app.push_screen(ReviewScreen(self.audit_id), back)

    def action_conversation(self) -> None:
        from audit_tui.tui.screens.conversation import ConversationScreen

        def back(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.mark_saved()
                self.notify("Feedback conversation saved (logged).", timeout=4)

        self.app.push_screen(ConversationScreen(self.audit), back)

    def action_concern(self) -> None:
        from audit_tui.tui.screens.dialogs import ConcernDialog

        care_leaver = any("leaver" in area.lower() for area in [*self.template.service_areas, self.audit.service_area])

        def raised(fields: dict | None) -> None:
            if not fields:
                return
            if not self.save(lambda: self.store.raise_concern(self.audit_id, **fields)):
                # keep what was written; try again
                self.app.push_screen(ConcernDialog(draft=fields, care_leaver=care_leaver), raised)
                return
            self.reload()
            self.notify("Safeguarding concern recorded, with an urgent action for the team manager and the service "
                        "manager due today.", severity="warning", timeout=8)

        self.app.push_screen(ConcernDialog(care_leaver=care_leaver), raised)

    @on(AnswerEdited)
    def _answer_edited(self, event: AnswerEdited) -> None:
        event.stop()
        if self.readonly:
            return
        changes = event.changes
        if not event.question:
            changes = {k: v for k, v in changes.items()
                       if getattr(self.audit, k) != v or (AUDIT_LEVEL, k) in self.unsaved.values}
            if not changes:
                return
        if not self.save(lambda: self.write(event.question, changes)):
            self.unsaved.remember(event.question, changes)
            return
        if not event.question:
            for field, value in changes.items():
                setattr(self.audit, field, value)
            return
        answers = self.answers()
        answer = answers.get(event.question)
        if answer is None:
            answer = self.query_one(QuestionPanel).answer.model_copy()
            self.audit.answers.append(answer)
        for field, value in event.changes.items():
            setattr(answer, field, value)
        if {"grade", "na_reason"} & set(event.changes):
            self.refresh_nav()

    @on(ActionsChanged)
    def _actions_changed(self, event: ActionsChanged) -> None:
        event.stop()
        if event.fields is None:
            saved = self.save(lambda: self.store.delete_action(event.action_id))
        elif event.action_id is None:
            saved = self.save(lambda: self.store.add_action(self.audit_id, **event.fields))
        else:  # over the action as the auditor saw it when the editor opened
            seen = next((a for a in self.audit.actions if a.id == event.action_id), None)
            expected = {field: getattr(seen, field) for field in event.fields} if seen else None
            saved = self.save(lambda: self.store.update_action(event.action_id, expected=expected, **event.fields))
        self.reload()
        if not saved and event.fields is not None:  # give the typed action back, to save again
            self.query_one(ActionsPanel).edit(event.action_id, question=None, draft=event.fields)

    def commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Review & complete", "Check the quality gates and complete", self.action_review)
        yield SystemCommand("Raise a safeguarding concern", "Record it now, with an urgent action",
                            self.action_concern)
        yield SystemCommand("Audit history", "Every change to this audit", self.action_history)
        yield SystemCommand("Feedback conversation", "The worker's reflection, agreement, challenge; family feedback",
                            self.action_conversation)
        yield SystemCommand("Feedback document", "This audit as a Word document for the worker and manager",
                            self.action_feedback)
        yield SystemCommand("New action", "Add an action (linked to the current question)", self.action_new_action)
        yield SystemCommand("Follow-up (F9)", "Which earlier audit this follows up; did its actions make a "
                            "difference", self.action_followup)
        yield SystemCommand("No action because …", "For a grade below good: why no new action is needed (F8)",
                            self.action_no_action)
        from audit_tui.tui.screens.dialogs import close_concern

        for concern in self.audit.concerns:
            if concern.handled_at is None:
                yield SystemCommand(f"Close concern (outcome): {concern.description[:40]}",
                                    "Once it has been acted on: say what the outcome was (logged)",
                                    lambda concern=concern: close_concern(self.app, concern.id, self.reload))
