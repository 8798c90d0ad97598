"""The report's charts: PNGs at print resolution, a colour-blind-safe colour per grade, hatching below good."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from audit_tui.report import charts

LABELS = {"outstanding": "Outstanding", "good": "Good", "inadequate": "Inadequate"}
BELOW = {"inadequate"}
WHITE = (255, 255, 255)


def rgb(grade: str) -> tuple[int, int, int]:
    colour = charts.OKABE_ITO[grade]
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def png_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def pixels(image: Image.Image, y: int) -> list[tuple[int, int, int]]:
    access = image.load()
    return [access[x, y] for x in range(image.width)]


def test_stacked_bars_are_coloured_by_grade_and_hatched_below_good():
    image = png_image(charts.stacked_distribution(
        [("Team A", {"good": 50, "inadequate": 50}), ("Team B", {"outstanding": 1})], LABELS, BELOW,
        title="Grades by team", ylabel="Team"))
    assert image.width == 7 * charts.DPI
    good, bad = rgb("good"), rgb("inadequate")
    top = next(y for y in range(image.height) if good in pixels(image, y) and bad in pixels(image, y))
    row = pixels(image, top + 10)
    left, right = [x for x, c in enumerate(row) if c == good], [x for x, c in enumerate(row) if c == bad]
    assert max(left) < min(right)  # first the good share, then the inadequate one
    assert set(row[min(left):max(left) + 1]) == {good}
    assert WHITE in row[min(right):max(right) + 1]  # hatched
    assert rgb("outstanding") in {c for y in range(top, image.height) for c in pixels(image, y)}


def test_overall_grades_chart_draws_one_bar_per_grade():
    image = png_image(charts.overall_grades_chart({"outstanding": 3, "good": 10, "inadequate": 2}, LABELS, BELOW))
    assert image.size == (6 * charts.DPI, round(2.8 * charts.DPI))
    colours = {c for _, c in image.getcolors(maxcolors=100_000)}
    assert {rgb("outstanding"), rgb("good"), rgb("inadequate")} <= colours


@pytest.mark.parametrize("workers", [0, 1])
def test_pictures_are_placed_where_they_were_asked_for(tmp_path, workers):
    """Drawn by a worker process (or here, with none), each chart lands in its own paragraph, in order."""
    from functools import partial

    from docx import Document

    from audit_tui.report import docxkit as kit
    from audit_tui.report.pictures import Pictures

    doc = kit.new_document()
    with Pictures(workers=workers) as pictures:
        for n in (1, 2):
            kit.para(doc, f"Before chart {n}")
            pictures.add(doc, partial(charts.overall_grades_chart, {"good": n, "inadequate": 1}, LABELS, BELOW),
                         width_cm=10.0, caption=f"Grades {n}.")
        pictures.place()
    doc.save(tmp_path / "pictures.docx")
    texts = [p.text for p in Document(tmp_path / "pictures.docx").paragraphs]
    assert texts == ["Before chart 1", "", "Figure 1. Grades 1.", "Before chart 2", "", "Figure 2. Grades 2."]
    shapes = Document(tmp_path / "pictures.docx").inline_shapes
    assert len(shapes) == 2 and all(abs(s.width.cm - 10.0) < 0.01 for s in shapes)


def test_chart_workers_start_before_python_docx_loads_and_stop_at_once():
    """`report` starts the workers first; a command that fails early leaves no worker running."""
    import subprocess
    import sys

    script = ("import sys, time\n"
              "from audit_tui.report.pictures import Pictures\n"
              "assert 'docx' not in sys.modules and 'matplotlib' not in sys.modules\n"
              "pictures = Pictures(workers=1)\n"
              "workers = list(pictures._pool._processes.values())\n"
              "pictures.close()\n"
              "time.sleep(0.2)\n"
              "print(sum(w.is_alive() for w in workers))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def test_a_report_uses_the_pictures_it_is_given(tmp_path):
    from docx import Document

    from audit_tui.report import build_report
    from audit_tui.report.pictures import Pictures

    from .factories import known_dataset

    store = known_dataset(tmp_path / "audits.db")
    pictures = Pictures(workers=1)
    try:
        build_report(store, tmp_path / "report.docx", pictures=pictures)
    finally:
        store.close()
    assert pictures._pool is None  # closed by the report once its charts were placed
    assert len(Document(tmp_path / "report.docx").inline_shapes) >= 3


def test_a_second_report_in_the_same_process_draws_with_the_first_reports_idle_workers(tmp_path):
    """The app (or any one process) builds its second report without starting workers and importing
    matplotlib again: the workers of a report whose charts were all placed are kept for the next."""
    from docx import Document

    from audit_tui.report import build_report
    from audit_tui.report.pictures import Pictures

    from .factories import known_dataset

    store = known_dataset(tmp_path / "audits.db")
    try:
        workers = []
        for n in (1, 2):
            pictures = Pictures(workers=1)
            workers.append(set(pictures._pool._processes))
            build_report(store, tmp_path / f"report-{n}.docx", pictures=pictures)
            assert len(Document(tmp_path / f"report-{n}.docx").inline_shapes) >= 3
    finally:
        store.close()
    assert workers[0] and workers[1] == workers[0]


def test_every_label_is_drawn_as_typed(monkeypatch):
    """Team names, grade labels and titles are text, never mathtext or LaTeX: `$…$` stays as typed, a bad
    formula such as `$\\frac{$` cannot stop the report, and a label starting with "_" still has its key."""
    from matplotlib.text import Text

    drawn = []
    real_png = charts._png
    monkeypatch.setattr(charts, "_png", lambda figure: drawn.append(figure) or real_png(figure))
    teams = ["Team $\\frac{$ end", "cost $5 and $6", "cost $5 and $6 but longer than sixty characters, so shortened"]
    labels = {"good": "_Good $x$", "inadequate": "In$ad$equate"}
    charts.stacked_distribution([(t, {"good": 1, "inadequate": 1}) for t in teams]
                                + [(teams[2] + " too", {"good": 2})], labels, BELOW, title="By $team$", ylabel="$y$")
    charts.overall_grades_chart({"good": 3, "inadequate": 1}, labels, BELOW)
    texts = [t for figure in drawn for t in figure.findobj(Text) if t.get_text()]
    assert texts and all(not t.get_parse_math() and not t.get_usetex() for t in texts)
    shown = {t.get_text() for t in texts}
    assert {"Team $\\frac{$ end", "cost $5 and $6", "_Good $x$", "In$ad$equate", "By $team$", "$y$"} <= shown
    bars = [t for t in drawn[0].axes[0].get_yticklabels() if t.get_text()]
    assert len(bars) == 4  # two teams whose shortened names match still have a bar each


def test_a_long_title_is_wrapped_inside_the_picture_not_cut_at_its_edge(monkeypatch):
    """A template's long title (Annex A) is drawn whole: every word of it inside the chart's picture."""
    drawn = []
    real_png = charts._png
    monkeypatch.setattr(charts, "_png", lambda figure: drawn.append(figure) or real_png(figure))
    title = ("Grades by section of the children in need and child protection management oversight audit "
             "(four-point scale)")
    charts.stacked_distribution([(f"Section {n} with a fairly long name", {"good": 2, "inadequate": 1})
                                 for n in range(4)], LABELS, BELOW, title=title, ylabel="Section")
    from matplotlib.text import Text

    figure = drawn[0]
    renderer = figure.canvas.get_renderer()
    [shown] = [t for t in figure.findobj(Text) if t.get_text().startswith("Grades by")]
    assert shown.get_text().split() == title.split()  # every word, in order
    box, page = shown.get_window_extent(renderer), figure.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1


def _running(pid: int) -> bool:
    """The process is alive (an exited one that nobody has reaped yet, a zombie, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to see the workers")
def test_chart_workers_stop_when_the_session_that_started_them_is_cut_off(tmp_path):
    """A session whose SSH connection drops is ended by SIGHUP, with no chance to tidy up: the idle chart
    workers it kept for its next report (about 100 MB each) stop by themselves, and are not left running."""
    code = ("import os, signal\nfrom functools import partial\nfrom docx import Document\n"
            "from audit_tui.report import charts\n"
            "from audit_tui.report.pictures import Pictures\n"
            "pictures = Pictures(workers=2)\n"
            "pictures.add(Document(), partial(charts.overall_grades_chart, {'good': 2}, {'good': 'Good'}, set()))\n"
            "pids = list(pictures._pool._processes)\npictures.place()\n"
            "print(*pids, flush=True)\nos.kill(os.getpid(), signal.SIGHUP)\n")
    with open(tmp_path / "out", "w") as out, open(tmp_path / "err", "w") as err:  # files, not pipes: the
        # workers, while they run, would hold a pipe open and the test would wait for them
        done = subprocess.run([sys.executable, "-c", code], stdout=out, stderr=err, timeout=120, cwd=tmp_path)
    assert done.returncode == -signal.SIGHUP, (tmp_path / "err").read_text()
    pids = [int(pid) for pid in (tmp_path / "out").read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 20
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if _running(pid)]
