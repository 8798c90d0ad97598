"""Charts for the report, drawn with Pillow into PNG bytes.

Colours are the Okabe-Ito colour-blind-safe palette; grades below good are also hatched, so the
charts read in greyscale too. Text is set in Pillow's built-in font. The charts are drawn directly
(bars, text, two axes) rather than with a plotting library: matplotlib took about 0.4 s a chart and
1 s to import, for nine charts at 10,000 audits.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

OKABE_ITO = {
    "outstanding": "#0072B2", "good": "#56B4E9", "yes": "#009E73", "requires_improvement": "#E69F00",
    "partly": "#F0E442", "adequate": "#F0E442", "inadequate": "#D55E00", "no": "#CC79A7",
}
FALLBACK = ["#000000", "#999999", "#CC79A7", "#009E73", "#F0E442"]
DARK = {"#0072B2", "#D55E00", "#000000", "#009E73"}  # fills that take white text (unless hatched)
DPI = 150
PT = DPI / 72  # pixels per point
PAD = round(0.1 * DPI)  # white border around a chart
HATCH_STEP = round(DPI / 9)  # hatching: 9 lines an inch


@lru_cache(maxsize=None)
def _font(points: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=points * PT)


@lru_cache(maxsize=None)
def _hatch_tile() -> Image.Image:
    """One period of the 45° hatching as a mask, antialiased (drawn four times larger, then reduced)."""
    side = HATCH_STEP * 4
    tile = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(tile)
    for offset in (-side, 0, side):
        draw.line([(offset, side), (offset + side, 0)], fill=255, width=round(4 * PT))
    return tile.resize((HATCH_STEP, HATCH_STEP), Image.Resampling.BOX)


def _wrap(label: str, width: int = 28) -> str:
    label = label if len(label) <= 60 else label[:57] + "…"
    return "\n".join(textwrap.wrap(label, width)) or "(none)"


def _line_height(points: float) -> float:
    return 1.2 * points * PT


TICK = 3.5 * PT  # tick length; tick labels are as far again from the tick
TOP = PAD + _line_height(10) + 6 * PT  # the top of the axes, under the title


def _axes_left(widest_label: float) -> float:
    """The left of the axes: room for the y axis label and the widest tick label."""
    return PAD + _line_height(8) + 4 * PT + widest_label + 2 * TICK


class _Canvas:
    """A white image with the few drawing operations the charts need (positions in pixels, sizes in points)."""

    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        self._hatching: Image.Image | None = None

    def text(self, xy: tuple[float, float], text: str, points: float, anchor: str = "la", fill: str = "black",
             box: bool = False) -> None:
        """One line of text; `box` puts it on a rounded, translucent white box."""
        font = _font(points)
        if box:
            pad = 0.15 * points * PT
            left, top, right, bottom = self.draw.textbbox(xy, text, font=font, anchor=anchor)
            self.draw.rounded_rectangle((left - pad, top - pad, right + pad, bottom + pad), radius=pad,
                                        fill=(255, 255, 255, 178))
        self.draw.text(xy, text, font=font, anchor=anchor, fill=fill)

    def lines(self, x: float, middle: float, text: str, points: float, align: str) -> None:
        """Lines of text centred vertically on `middle`; `align` is "r" (ending at x) or "m" (centred on x)."""
        rows = text.split("\n")
        height = _line_height(points)
        for i, row in enumerate(rows):
            self.text((x, middle + (i - (len(rows) - 1) / 2) * height), row, points, align + "m")

    def lines_below(self, x: float, top: float, text: str, points: float) -> None:
        """Lines of text centred on x, the first one's top at `top`."""
        for i, row in enumerate(text.split("\n")):
            self.text((x, top + i * _line_height(points)), row, points, "ma")

    def vertical(self, xy: tuple[float, float], text: str, points: float) -> None:
        """Text turned a quarter anticlockwise, centred on xy."""
        font = _font(points)
        left, top, right, bottom = font.getbbox(text)
        mask = Image.new("L", (right - left + 2, bottom + 2), 0)
        ImageDraw.Draw(mask).text((1 - left, 1), text, font=font, fill=255)
        mask = mask.rotate(90, expand=True)
        self.image.paste("black", (round(xy[0] - mask.width / 2), round(xy[1] - mask.height / 2)), mask)

    def bar(self, box: tuple[float, float, float, float], colour: str, edge: str, hatched: bool) -> None:
        """A filled rectangle with a thin edge, hatched in the edge colour when asked."""
        box = tuple(round(v) for v in box)
        if box[2] <= box[0] or box[3] <= box[1]:
            return
        self.draw.rectangle(box, fill=colour)
        if hatched:
            self.image.paste(edge, box, self._hatch_mask().crop(box))
        self.draw.rectangle(box, outline=edge, width=1)

    def frame(self, box: tuple[float, float, float, float], title: str, ylabel: str) -> None:
        """The title above the axes `box`, its left and bottom spines (over the bars), and the y axis label."""
        left, top, right, bottom = box
        self.text((left, top - 6 * PT), title, 10, "ld")
        self.draw.line([(left, top), (left, bottom), (right, bottom)], fill="black", width=round(0.8 * PT))
        self.vertical((PAD + _line_height(8) / 2, (top + bottom) / 2), ylabel, 8)

    def tick(self, xy: tuple[float, float], horizontal: bool) -> None:
        x, y = xy
        end = (x - TICK, y) if horizontal else (x, y + TICK)
        self.draw.line([xy, end], fill="black", width=round(0.8 * PT))

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", dpi=(DPI, DPI), compress_level=1)
        return buffer.getvalue()

    def _hatch_mask(self) -> Image.Image:
        """Hatching over the whole canvas (so neighbouring bars line up), made on first use."""
        if self._hatching is None:
            tile, (width, height) = _hatch_tile(), self.image.size
            strip = Image.new("L", (width, tile.height))
            for x in range(0, width, tile.width):
                strip.paste(tile, (x, 0))
            self._hatching = Image.new("L", (width, height))
            for y in range(0, height, tile.height):
                self._hatching.paste(strip, (0, y))
        return self._hatching


def _legend(canvas: _Canvas, entries: list[tuple[str, str, bool]], centre: float, top: float, edge: str) -> None:
    """Legend entries (label, colour, hatched) in up to four columns, filled column by column like matplotlib's."""
    points, em = 7, 7 * PT
    columns = min(4, len(entries))
    rows = math.ceil(len(entries) / columns)
    groups = [entries[i * rows:(i + 1) * rows] for i in range(columns)]
    widths = [2.8 * em + max(_font(points).getlength(label) for label, _, _ in group) for group in groups]
    x = centre - (sum(widths) + 2 * em * (columns - 1)) / 2
    for group, width in zip(groups, widths):
        for row, (label, colour, hatched) in enumerate(group):
            middle = top + (row + 0.5) * 1.6 * em
            canvas.bar((x, middle - 0.35 * em, x + 2 * em, middle + 0.35 * em), colour, edge, hatched)
            canvas.text((x + 2.8 * em, middle), label, points, "lm")
        x += width + 2 * em


def _legend_height(entries: int) -> float:
    return math.ceil(entries / min(4, entries)) * 1.6 * 7 * PT if entries else 0


def stacked_distribution(groups: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str],
                         below_good: set[str], *, title: str, ylabel: str) -> bytes:
    """Horizontal 100% stacked bars: one bar per group, one segment per grade; n on each bar."""
    grades = [g for g in dict.fromkeys(g for _, counts in groups for g in counts)
              if any(counts.get(g) for _, counts in groups)]
    spare = iter(FALLBACK)
    colours = {g: OKABE_ITO.get(g) or next(spare, "#999999") for g in grades}
    names = [_wrap(name) for name, _ in groups]
    slot = 0.5 * DPI
    widest = max((_font(7.5).getlength(line) for name in names for line in name.split("\n")), default=0)
    left, top = _axes_left(widest), TOP
    bottom = top + slot * (max(len(groups), 1) + 0.2)
    legend_top = bottom + 2 * TICK + _line_height(7.5) + 4 * PT + _line_height(8) + 0.15 * DPI
    canvas = _Canvas(round(7.0 * DPI), round(legend_top + _legend_height(len(grades)) + PAD))
    right = canvas.image.width - PAD
    scale = (right - left) / 110

    for i, ((_, counts), name) in enumerate(zip(groups, names)):
        middle = top + slot * (i + 0.6)
        total = sum(counts.values())
        start = 0.0
        for grade in grades:
            share = 100 * counts.get(grade, 0) / total if total else 0
            x0, x1 = left + start * scale, left + (start + share) * scale
            canvas.bar((x0, middle - 0.4 * slot, x1, middle + 0.4 * slot), colours[grade], "white",
                       grade in below_good)
            if share >= 9:  # white on dark fills; black on a white box on light or hatched ones
                boxed = colours[grade] not in DARK or grade in below_good
                canvas.text(((x0 + x1) / 2, middle), f"{share:.0f}%", 7, "mm", "black" if boxed else "white",
                            box=boxed)
            start += share
        canvas.text((left + 101 * scale, middle), f"n={total}", 7, "lm", "#333333")
        canvas.tick((left, middle), horizontal=True)
        canvas.lines(left - 2 * TICK, middle, name, 7.5, "r")
    canvas.frame((left, top, right, bottom), title, ylabel)
    for value in range(0, 101, 20):
        canvas.tick((left + value * scale, bottom), horizontal=False)
        canvas.text((left + value * scale, bottom + 2 * TICK), str(value), 7.5, "ma")
    canvas.text(((left + right) / 2, bottom + 2 * TICK + _line_height(7.5) + 4 * PT), "Share of graded answers (%)",
                8, "ma")
    if grades:
        _legend(canvas, [(labels.get(g, g), colours[g], g in below_good) for g in grades], (left + right) / 2,
                legend_top, "white")
    return canvas.png()


def _tick_step(top: float) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most six ticks from 0 to `top`."""
    magnitude = 10 ** max(0, math.floor(math.log10(max(top / 6, 1))))
    return next(m * magnitude for m in (1, 2, 5, 10) if top / (m * magnitude) <= 6)


def overall_grades_chart(counts: dict[str, int], labels: dict[str, str], below_good: set[str]) -> bytes:
    """Vertical bars of the audits' overall grades, with counts on top."""
    grades = list(counts)
    names = [_wrap(labels.get(g, g), 16) for g in grades]
    canvas = _Canvas(round(6.0 * DPI), round(2.8 * DPI))
    height = max([counts[g] for g in grades] + [1]) * 1.2
    step = _tick_step(height)
    widest = max(_font(7.5).getlength(str(v)) for v in range(0, int(height) + 1, step))
    label_lines = max((n.count("\n") + 1 for n in names), default=1)
    left, top = _axes_left(widest), TOP
    bottom = canvas.image.height - PAD - _line_height(8) - 4 * PT - label_lines * _line_height(7.5) - 2 * TICK
    right = canvas.image.width - PAD

    def y(value: float) -> float:
        return bottom - value / height * (bottom - top)

    slot = (right - left) / max(len(grades), 1)
    for i, (grade, name) in enumerate(zip(grades, names)):
        centre = left + slot * (i + 0.5)
        canvas.bar((centre - 0.4 * slot, y(counts[grade]), centre + 0.4 * slot, bottom),
                   OKABE_ITO.get(grade, "#999999"), "#333333", grade in below_good)
        canvas.text((centre, y(counts[grade]) - 1), str(counts[grade]), 8, "md")
        canvas.tick((centre, bottom), horizontal=False)
        canvas.lines_below(centre, bottom + 2 * TICK, name, 7.5)
    canvas.frame((left, top, right, bottom), "Overall grades of the audits", "Audits")
    for value in range(0, int(height) + 1, step):
        canvas.tick((left, y(value)), horizontal=True)
        canvas.text((left - 2 * TICK, y(value)), str(value), 7.5, "rm")
    canvas.text(((left + right) / 2, canvas.image.height - PAD), "Overall grade (moderated where moderated)", 8, "md")
    return canvas.png()
