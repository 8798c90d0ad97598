"""The current question: guidance, grade picker, n/a reason, evidence and theme tags."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Input, Label, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

from audit_tui.domain.models import NA, Answer, Question, Scale, Template
from audit_tui.domain.themes import keyword_themes
from audit_tui.tui.format import show_text


class AnswerEdited(Message):
    """The auditor changed part of an answer; the screen saves it."""

    def __init__(self, question: str, **changes) -> None:
        super().__init__()
        self.question = question
        self.changes = changes


class GradeList(OptionList):
    """The scale's levels, best first; number keys pick a level, 0 picks n/a. A letter never picks a grade
    (someone typing words here meant the evidence box): it says how to pick one, and how to get to the evidence."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(10)),
    ]

    told = False
    """The how-to-grade hint was shown since the list took the focus (once is enough)."""

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and not event.character.isdigit():
            event.stop()
            event.prevent_default()
            if not self.told:
                self.told = True
                self.notify("To grade, press a number (0 for n/a) or use the arrows and Enter. Tab goes to the "
                            "evidence box.", timeout=5)

    def on_blur(self) -> None:
        self.told = False

    def action_pick(self, number: int) -> None:
        index = self.option_count - 1 if number == 0 else number - 1
        if 0 <= index < self.option_count:
            self.highlighted = index
            self.action_select()


class ThemeList(SelectionList[str]):
    """The theme tags; Space or Enter ticks one. A letter or figure typed here was meant for the evidence box
    (Tab from a grade comes here, as the grade key has already moved on to the evidence): it goes there, at
    the end of what is written, and so does what follows it; without it, the spaces of a sentence ticked tags."""

    class Typed(Message):
        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character and event.character != " ":
            event.stop()
            event.prevent_default()
            self.post_message(self.Typed(event.character))


class QuestionPanel(VerticalScroll):
    """Shows one question of the template and posts AnswerEdited on every change."""

    def __init__(self, template: Template, **kwargs) -> None:
        super().__init__(**kwargs)
        self.template = template
        self.key = ""
        self.scale: Scale | None = None
        self.answer = Answer(question="")

    def compose(self) -> ComposeResult:
        yield Static("", id="q-position", markup=False)
        yield Static("", id="q-text", markup=False)
        with Collapsible(title="What good looks like", collapsed=False, id="q-guidance-box"):
            yield Static("", id="q-guidance", markup=False)
        with Horizontal(id="q-grade-row"):
            yield GradeList(id="q-grades", compact=True)
            yield Static("", id="q-level-description", markup=False)
        yield Input(placeholder="Why is this question not applicable?", id="q-na-reason", max_length=500)
        yield Label("Evidence — what in the file supports this grade?", classes="q-label")
        yield TextArea(id="q-evidence", soft_wrap=True, tab_behavior="focus",
                       placeholder="Quote or summarise what the case file shows…")
        yield Static("", id="q-theme-hint", markup=False)
        yield ThemeList(*[(Text(t.label), t.id) for t in self.template.themes], id="q-themes")

    def show(self, key: str, position: str, answer: Answer | None, *, readonly: bool) -> None:
        """Load a question and its saved answer into the widgets."""
        question: Question = self.template.question(key)
        self.key = key
        self.scale = self.template.scale_of(key)
        self.answer = answer or Answer(question=key)
        self.query_one("#q-position", Static).update(position)
        self.query_one("#q-text", Static).update(question.text + ("" if question.required else "  (optional)"))
        self.query_one("#q-guidance", Static).update(question.guidance or "No guidance for this question.")
        self.query_one("#q-guidance-box", Collapsible).collapsed = self.app.size.height < 36
        grades = self.query_one("#q-grades", GradeList)
        grades.set_options([Option(Text(""), id=level_id) for level_id, _ in self._choices()])
        self._mark_grade()
        reason = self.query_one("#q-na-reason", Input)
        reason.value = self.answer.na_reason or ""
        reason.display = self.answer.grade == NA
        evidence = self.query_one("#q-evidence", TextArea)
        if evidence.text != self.answer.evidence:
            evidence.load_text(self.answer.evidence)
        themes = self.query_one("#q-themes", SelectionList)
        with themes.prevent(SelectionList.SelectedChanged):
            themes.deselect_all()
            for theme in self.answer.themes:
                themes.select(theme)
        self._hint_themes()
        for widget in (grades, reason, evidence, themes):
            widget.disabled = readonly
        self.scroll_home(animate=False)

    def _choices(self) -> list[tuple[str, str]]:
        """(level id, label) for the scale's levels then n/a."""
        return [(lv.id, lv.label) for lv in self.scale.levels] + [(NA, "n/a — not applicable")]

    def _mark_grade(self) -> None:
        """Put ● beside the saved grade and highlight it."""
        grades = self.query_one("#q-grades", GradeList)
        choices = self._choices()
        for index, (level_id, label) in enumerate(choices):
            number = index + 1 if level_id != NA else 0
            mark = "● " if level_id == self.answer.grade else "  "
            grades.replace_option_prompt_at_index(index, Text(f"{mark}{number} {label}"))
        ids = [level_id for level_id, _ in choices]
        # nothing highlighted until a grade is chosen: an Enter pressed once too often never grades a question
        grades.highlighted = ids.index(self.answer.grade) if self.answer.grade in ids else None
        self._describe(grades.highlighted)

    def _describe(self, index: int | None) -> None:
        text = ""
        if index is not None and index < len(self.scale.levels):
            level = self.scale.levels[index]
            text = level.description or ("Counts as good or better." if level.good_or_better else "Below good.")
        elif index is not None:
            text = "Not applicable to this case: give the reason below."
        else:
            text = "To grade, press its number (0: n/a), or ↓ to go through the grades and Enter to choose one."
        self.query_one("#q-level-description", Static).update(text)

    def _hint_themes(self) -> None:
        question = self.template.question(self.key)
        labels = self.template.theme_map()
        mapped = [labels[t].label for t in question.themes if t in labels]
        found = [labels[t].label for t in keyword_themes(self.template, self.answer.evidence)
                 if t not in self.answer.themes and t not in question.themes]
        lines = []
        if mapped:
            lines.append("Themes from this question: " + ", ".join(mapped))
        if found:
            lines.append("Suggested from your evidence: " + ", ".join(found) + " — tick to tag")
        show_text(self.query_one("#q-theme-hint", Static), "\n".join(lines) or "Tag the themes this answer shows:")

    @on(OptionList.OptionHighlighted, "#q-grades")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option_list.highlighted)  # as it is now: the message may come from the question before

    @on(OptionList.OptionSelected, "#q-grades")
    def _graded(self, event: OptionList.OptionSelected) -> None:
        grade = event.option.id
        if grade == self.answer.grade:
            return
        self.answer.grade = grade
        self._mark_grade()
        reason = self.query_one("#q-na-reason", Input)
        reason.display = grade == NA
        self.post_message(AnswerEdited(self.key, grade=grade))
        if grade == NA:
            reason.focus()
        else:
            self.query_one("#q-evidence", TextArea).focus()

    @on(Input.Changed, "#q-na-reason")
    def _na_reason(self, event: Input.Changed) -> None:
        if event.value != (self.answer.na_reason or ""):
            self.answer.na_reason = event.value
            self.post_message(AnswerEdited(self.key, na_reason=event.value))

    @on(TextArea.Changed, "#q-evidence")
    def _evidence(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text != self.answer.evidence:
            self.answer.evidence = text
            self.post_message(AnswerEdited(self.key, evidence=text))
            self._hint_themes()

    @on(ThemeList.Typed)
    def _typed_in_themes(self, event: ThemeList.Typed) -> None:
        evidence = self.query_one("#q-evidence", TextArea)
        if evidence.read_only:
            return
        evidence.insert(event.character, evidence.document.end)
        evidence.focus()

    @on(SelectionList.SelectedChanged, "#q-themes")
    def _themes(self, event: SelectionList.SelectedChanged) -> None:
        selected = sorted(event.selection_list.selected)
        if selected != sorted(self.answer.themes):
            self.answer.themes = selected
            self.post_message(AnswerEdited(self.key, themes=selected))
            self._hint_themes()
