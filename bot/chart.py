"""A PNG chart of use per month: questions and items opened as bars, unique users as a line.

Drawn with Pillow (MIT-CMU licence) and its built-in scalable font: no plotting library, no
system fonts. Every word on it comes from `beheer.yaml` (title, legend, month names).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from bot.content.library import Library
from bot.content.model import AdminFile
from bot.content.templates import parse_template
from bot.statistics import YearReport

WIDTH, HEIGHT = 960, 540
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 30, 80, 60
QUESTIONS = (46, 104, 168)
ITEMS = (120, 180, 220)
UNIQUE = (220, 110, 40)
GRID = (225, 228, 232)
TEXT = (33, 37, 41)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _nice_top(value: int) -> int:
    """A round number at or above `value` for the top of the axis."""
    if value <= 5:
        return 5
    step = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        top = int(step * factor)
        if top >= value:
            return top
    return value


def render_png(report: YearReport, library: Library) -> bytes:
    """The chart of `report` as PNG bytes."""
    admin = library.file(AdminFile)
    texts = admin.teksten
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title = parse_template(texts.grafiek_titel).render({"jaar": str(report.year)})
    draw.text((MARGIN_LEFT, 20), title, fill=TEXT, font=_font(24))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = _nice_top(max([1] + [max(m.questions, m.items, m.unique) for m in report.months]))
    small = _font(14)

    def y(value: int) -> float:
        return MARGIN_TOP + plot_h - plot_h * value / top

    for tick in range(5):
        value = round(top * tick / 4)
        draw.line([(MARGIN_LEFT, y(value)), (WIDTH - MARGIN_RIGHT, y(value))], fill=GRID)
        draw.text((MARGIN_LEFT - 8, y(value)), str(value), fill=TEXT, font=small, anchor="rm")
    slot = plot_w / 12
    bar = slot * 0.32
    points: list[tuple[float, float]] = []
    for index, month in enumerate(report.months):
        left = MARGIN_LEFT + index * slot + slot * 0.15
        base = y(0)
        draw.rectangle([left, y(month.questions), left + bar, base], fill=QUESTIONS)
        draw.rectangle([left + bar, y(month.items), left + 2 * bar, base], fill=ITEMS)
        centre = MARGIN_LEFT + index * slot + slot / 2
        points.append((centre, y(month.unique)))
        draw.text((centre, base + 8), admin.maanden[index], fill=TEXT, font=small, anchor="mt")
    draw.line(points, fill=UNIQUE, width=3)
    for x, py in points:
        draw.ellipse([x - 4, py - 4, x + 4, py + 4], fill=UNIQUE)
    legend_x = MARGIN_LEFT
    for colour, label in (
        (QUESTIONS, texts.grafiek_vragen),
        (ITEMS, texts.grafiek_items),
        (UNIQUE, texts.grafiek_uniek),
    ):
        draw.rectangle([legend_x, 58, legend_x + 14, 72], fill=colour)
        draw.text((legend_x + 20, 65), label, fill=TEXT, font=small, anchor="lm")
        legend_x += 40 + int(draw.textlength(label, font=small))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
