"""Charts for the report: matplotlib Figure + Agg canvas into PNG bytes (never pyplot).

Colours are the Okabe-Ito colour-blind-safe palette; grades below good are also
hatched, so the charts read in greyscale too.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from pathlib import Path

OKABE_ITO = {
    "outstanding": "#0072B2", "good": "#56B4E9", "yes": "#009E73", "requires_improvement": "#E69F00",
    "partly": "#F0E442", "adequate": "#F0E442", "inadequate": "#D55E00", "no": "#CC79A7",
}
FALLBACK = ["#000000", "#999999", "#CC79A7", "#009E73", "#F0E442"]
DPI = 150


def _figure(width: float, height: float):
    _private_matplotlib_folder()
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Labels are people's text (team names, section titles, grade labels): shown as typed. matplotlib
    # would read `$…$` as maths (and stop at a bad formula such as `$\frac{$`), or hand the text to
    # LaTeX if a matplotlibrc asked for it.
    matplotlib.rcParams.update({"text.parse_math": False, "text.usetex": False})
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    # Margins are set by hand (see `_margins`): a "tight" box or layout engine draws the chart twice.
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _margins(figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Place the axes `left`/`right`/`top`/`bottom` inches from the figure's edges."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                           bottom=bottom / height)


def _text_inches(lines: Sequence[str], points: float) -> float:
    """A generous width of the longest line set in DejaVu Sans at `points` (about 0.58 em a character)."""
    return max((len(line) for line in lines), default=0) * points * 0.58 / 72


def _private_matplotlib_folder() -> None:
    """Before matplotlib loads: its config and font cache go in a folder only this user can read (0700,
    under audit-tui's cache folder), not in one matplotlib would make readable by everyone."""
    if "matplotlib" in sys.modules:
        return
    import platformdirs

    from audit_tui.files.safefiles import private_folder

    cache = private_folder(Path(platformdirs.user_cache_dir("audit-tui")))
    folder = private_folder(cache / "matplotlib") if cache is not None else None
    if folder is not None:
        os.environ["MPLCONFIGDIR"] = str(folder)


def start_worker() -> None:
    """In a chart worker process (see report.pictures), which imports only this module: write nothing
    to the terminal (the TUI owns it), send its output to /dev/null; and stop once the session that
    started it has gone without stopping it (killed, or cut off with its SSH connection), instead of
    waiting, idle, for ever."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _stop_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:  # an orphan is given a new parent
        time.sleep(1)
    os._exit(0)


def warm_up() -> None:
    """Import matplotlib and load its fonts (a worker process does this while the report is computed)."""
    figure = _figure(1.0, 0.5)
    figure.text(0.5, 0.5, "warm-up")
    _png(figure)


def _wrap(label: str, width: int = 28) -> str:
    label = label if len(label) <= 60 else label[:57] + "…"
    return "\n".join(textwrap.wrap(label, width)) or "(none)"


def stacked_distribution(groups: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str],
                         below_good: set[str], *, title: str, ylabel: str) -> bytes:
    """Horizontal 100% stacked bars: one bar per group, one segment per grade; n on each bar."""
    grades = [g for g in dict.fromkeys(g for _, counts in groups for g in counts)
              if any(counts.get(g) for _, counts in groups)]
    legend_rows = (len(grades) + 3) // 4
    names = [_wrap(name) for name, _ in groups][::-1]
    left_margin = 0.45 + _text_inches([line for name in names for line in name.split("\n")], 7.5)
    # the title starts above the bars, right of the names: wrapped to the width left (about 0.075 in a
    # character at 10 pt), so that a long template's title is never cut at the page's edge
    title_lines = textwrap.wrap(title, max(30, int((7.0 - left_margin - 0.1) / 0.075))) or [title]
    extra = 0.17 * (len(title_lines) - 1)
    height = 1.2 + 0.5 * max(len(groups), 1) + 0.25 * legend_rows + extra
    figure = _figure(7.0, height)
    ax = figure.add_subplot(1, 1, 1)
    _margins(figure, left=left_margin, right=0.1, top=0.35 + extra, bottom=0.55 + 0.22 * legend_rows)
    totals = [sum(counts.values()) for _, counts in groups][::-1]
    left = [0.0] * len(groups)
    spare = iter(FALLBACK)
    legend = []  # (bars, label), given to the legend as they are: it would hide a label starting "_"
    for grade in grades:
        values = [counts.get(grade, 0) for _, counts in groups][::-1]
        shares = [100 * v / t if t else 0 for v, t in zip(values, totals)]
        colour = OKABE_ITO.get(grade) or next(spare, "#999999")
        bars = ax.barh(range(len(names)), shares, left=left, color=colour, edgecolor="white", linewidth=0.6,
                       hatch="//" if grade in below_good else None)
        legend.append((bars, labels.get(grade, grade)))
        for bar, share in zip(bars, shares):
            if share >= 9:
                dark = colour in ("#0072B2", "#D55E00", "#000000", "#009E73")
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, f"{share:.0f}%",
                        ha="center", va="center", fontsize=7, color="white" if dark else "black",
                        bbox=None if dark else {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                                "alpha": 0.7})
        left = [a + b for a, b in zip(left, shares)]
    for y, total in enumerate(totals):
        ax.text(101, y, f"n={total}", va="center", fontsize=7, color="#333333")
    ax.set_yticks(range(len(names)), names)  # by position: two teams whose shortened names match keep two bars
    ax.set_xlim(0, 110)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("Share of graded answers (%)", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title("\n".join(title_lines), fontsize=10, loc="left")
    ax.tick_params(labelsize=7.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grades:
        figure.legend(*zip(*legend), loc="lower center", bbox_to_anchor=(0.5, 0.02),
                      ncol=min(4, len(grades)), fontsize=7, frameon=False)
    return _png(figure)


def overall_grades_chart(counts: dict[str, int], labels: dict[str, str], below_good: set[str]) -> bytes:
    """Vertical bars of the audits' overall grades, with counts on top."""
    figure = _figure(6.0, 2.8)
    ax = figure.add_subplot(1, 1, 1)
    grades = list(counts)
    values = [counts[g] for g in grades]
    names = [_wrap(labels.get(g, g), 16) for g in grades]
    lines = max((name.count("\n") + 1 for name in names), default=1)
    _margins(figure, left=0.6, right=0.15, top=0.35, bottom=0.45 + 0.14 * lines)
    bars = ax.bar(range(len(names)), values, color=[OKABE_ITO.get(g, "#999999") for g in grades], edgecolor="#333333",
                  linewidth=0.5, hatch=None)
    for bar, grade in zip(bars, grades):
        if grade in below_good:
            bar.set_hatch("//")
    for bar, value in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), str(value), ha="center", va="bottom",
                fontsize=8)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("Audits", fontsize=8)
    ax.set_xlabel("Overall grade (moderated where moderated)", fontsize=8)
    ax.set_title("Overall grades of the audits", fontsize=10, loc="left")
    ax.set_ylim(0, max(values + [1]) * 1.2)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=7.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(figure)


def trend_chart(rounds: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], float | None]]) -> bytes:
    """One small panel per headline measure: its % across the rounds (oldest left), the lead's target as a
    dashed line (named in the panel's title), each point's value written above it."""
    columns = 1 if len(series) == 1 else 2 if len(series) <= 4 else 3
    rows = max((len(series) + columns - 1) // columns, 1)
    figure = _figure(7.0, 0.3 + 1.95 * rows)
    short = [_wrap(name, 12) for name in rounds]
    every = 1 if len(rounds) <= 12 // columns else 2
    for index, (label, values, target) in enumerate(series):
        ax = figure.add_subplot(rows, columns, index + 1)
        xs = [x for x, v in enumerate(values) if v is not None]
        ys = [v for v in values if v is not None]
        if target is not None:
            ax.axhline(target, color="#D55E00", linestyle="--", linewidth=1.1)
        ax.plot(xs, ys, color="#0072B2", marker="o", markersize=3.5, linewidth=1.5)
        for x, y in zip(xs, ys):
            ax.annotate(f"{y:.0f}", (x, y), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=6,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
        title = label if target is None else f"{label} (target {target:g}%)"
        ax.set_title(_wrap(title, 44 if columns < 3 else 30), fontsize=7.5, loc="left")
        ax.set_ylim(0, 112)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_xlim(-0.5, len(rounds) - 0.5)
        ax.set_xticks(range(len(rounds)), [s if i % every == 0 else "" for i, s in enumerate(short)])
        ax.tick_params(labelsize=5.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    figure.subplots_adjust(left=0.06, right=0.99, top=1 - 0.3 / figure.get_size_inches()[1],
                           bottom=0.55 / figure.get_size_inches()[1], hspace=1.0, wspace=0.28)
    return _png(figure)
