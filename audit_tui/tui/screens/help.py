"""Help: what audit-tui is for and every key binding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# audit-tui help

**Every change is saved as you make it.** There is no save button; the bar shows *✓ Saved* with the time.

The bar at the bottom shows the keys you need now; `^r` means hold **Ctrl** and press **r**. `ctrl+p`
(*More*) lists every command: type a few letters of what you want.

## Home
| key | does |
|---|---|
| `n` | new audit |
| `Enter` | resume the selected audit (or click it) |
| `/` | filter by case ref, team, auditor, round or template |
| `Down`/`Esc` | from the filter to the list (the filter stays); `Up` on its first row goes back |
| `s` | cycle the status filter (all, draft, completed, moderated) |
| `o` | change the sort (or click a column heading) |
| `h` | history of the selected audit |
| `t` | training: audit a fictional sample case, then calibrate against the reference audit |
| `R` | rounds: create one, import its case list, progress by auditor and team; Enter starts an allocated case, or on the Re-audits tab the re-audit (linked as the follow-up) |
| `c` | the selected audit's case: every audit side by side; `r` re-audit date (inadequate audits), `f` follow-up (on a completed audit: start its follow-up) |
| `a` | action tracker: every action, overdue first; `d` mark done, `x` export, `s` status, `o` overdue only, `k` kind |
| `m` | moderate the selected (completed) audit |
| `d` | the demo (fictional cases); palette: *Back to your own database* |

## Walking through an audit
| key | does |
|---|---|
| `PgDn` (or `ctrl+n`) / `PgUp` | next / previous question |
| `1`–`4`, arrows + `Enter` | pick a grade (in the grade list); `0` for n/a |
| `Tab` / `shift+Tab` | move between grade, evidence and themes |
| `ctrl+g` | jump to the section list |
| `ctrl+l` | lived experience & impact narratives |
| `ctrl+t` | new action (linked to the current question) |
| `ctrl+o` | the actions list (`a` add, `Enter` edit, `Delete` delete after asking; a concern's urgent action cannot be deleted) |
| `ctrl+r` | review: unmet gates (Enter jumps there), safeguarding statement, overall grade, complete; close a concern with its outcome |
| `ctrl+f` | raise a safeguarding concern — at once, not at the end of the round (who you told, when, how; both managers) |
| palette | *Close concern (outcome)*, as on the review screen |
| `F5` | the feedback conversation with the worker, child, young person or carer feedback, and names to redact |
| `F6` | this audit's feedback document (Word) |
| `F7` | this audit's history |
| `F8` | on a question graded below good: no action because … (a reason, e.g. already in hand, instead of an action) |
| `F9` | follow-up: which earlier audit this one follows up, and whether its actions made a difference |
| `Esc` | back to the list (everything is already saved) |

## Moderation
Each of the auditor's grades is agreed unless you choose another; a different grade needs a comment.
Choose the moderated overall grade (a comment if it differs) and save with `ctrl+s`: the audit becomes
*moderated*, the auditor's grades are kept and yours are final in every figure.

## Training (a sample case)
| key | does |
|---|---|
| `F3` | the case record: beside the form at 120 columns or more (F3 moves between them), else switch to it |
| `/`, `n`, `N` | in the record: find, next match, previous match |
| `F4` | calibration, once the audit is completed (it opens by itself when you complete): `q` questions, `a` narratives & actions, `l` learning points |
| palette | *Calibration (trainer)*: every trainee's agreement; `1`–`3` tabs, `Enter` opens an audit, `w` Word document |

## A round's conclusions (`c` on the Rounds screen)
| key | does |
|---|---|
| typing | the commentary, saved as you type |
| `a` / `Enter` / `Delete` | in the recommendations: add / edit / remove (asks first); each has what, lead, measurable outcome, due date, RAG |
| `g` or `Enter` | in the targets: set the highlighted measure's target (empty removes it) |

## Everywhere
| key | does |
|---|---|
| `ctrl+p` | command palette (themes, settings, every command) |
| `F1` | this help |
| `F2` | settings: your name, organisation, theme, template folder |
| `Esc` | step back; a form with something typed in it asks before discarding it |
| `ctrl+s` | save or complete in a form (also its button, and the palette) |
| `ctrl+q` | quit |

## Completing an audit
An audit can be completed only when every required question has a grade (or n/a with a reason),
each grade has evidence, the lived experience and impact narratives are substantive, every answer
below good has an action, and every action has a specific description, an owner and a due date on
or after the audit date. The review screen lists what is missing; Enter takes you there.
"""


class HelpScreen(ModalScreen[None]):
    """Key bindings and how completion works."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Markdown(HELP)
