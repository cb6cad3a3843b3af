"""The printable poster: an A4 PDF with the bot's (or one item's) QR code, for a wall or a team
meeting.

From top to bottom: the title, two or three lines of explanation, for one item the line that
names it, the QR code with the link under it, and the emergency numbers in a box. Every word
comes from the content: `affiche` in `delen.yaml`, the item's title, and the verified phone
numbers of the `noodnummers` item (else the emergency reply of `urgent.yaml`).

Built with reportlab (BSD licence) on its own canvas, so the layout is exact and the output is
reproducible (`invariant`): the same content and link give the same bytes. The text is set in
Bitstream Vera, which ships with reportlab and is embedded in the PDF, so it prints the same
everywhere; it has the letters of Western European languages but no emoji, which the content
check refuses in the poster's own texts and the poster drops from an item's title.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import reportlab
import segno
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.content.library import Library
from bot.content.model import ContactKind, Partner, SharingFile, UrgentFile
from bot.content.templates import parse_template
from bot.sharing import QR_BORDER, QR_ERROR_LEVEL

FONT = "PlaybookVera"
BOLD = "PlaybookVera-Bold"
_FONT_FILES = {FONT: "Vera.ttf", BOLD: "VeraBd.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TITLE_SIZE = 28.0
LINE_SIZE = 14.0
TOPIC_SIZE = 16.0
SCAN_SIZE = 12.0
LINK_SIZE = 13.0
EMERGENCY_HEAD_SIZE = 16.0
NUMBER_SIZE = 17.0
LABEL_SIZE = 12.0
FOOT_SIZE = 9.0
LEADING = 1.3
"""Line height as a multiple of the font size."""
QR_LARGEST = 80 * mm
QR_SMALLEST = 45 * mm
"""The printed QR code: as large as the page allows, never smaller than 4.5 cm (scans from
an arm's length)."""
SMALLEST_SCALE = 0.6
SCALE_STEP = 0.05
"""Long texts are set smaller, in steps of 5 %, down to 60 % of the sizes above."""
MAX_NUMBERS = 6
"""Emergency numbers on the poster (the `noodnummers` item has 5): the first ones, in order."""
GAP = 5 * mm
BOX_PADDING = 5 * mm
EMERGENCY_RED = Color(0.75, 0.1, 0.1)
FOOT_GREY = Color(0.35, 0.35, 0.35)


class PosterError(ValueError):
    """The poster's content does not fit on one A4 page."""


def _register_fonts() -> None:
    fonts = Path(reportlab.__file__).parent / "fonts"
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in _FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(fonts / file)))


def printable(text: str) -> str:
    """`text` without the characters the poster's font cannot print (emoji), on one line."""
    kept = []
    for character in text:
        try:
            character.encode("cp1252")
        except UnicodeEncodeError:
            continue
        kept.append(character)
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class _Paragraph:
    """Centred lines in one font and size."""

    lines: tuple[str, ...]
    font: str
    size: float
    color: Color = black

    @classmethod
    def of(cls, text: str, font: str, size: float, color: Color = black) -> _Paragraph:
        return cls(tuple(simpleSplit(printable(text), font, size, TEXT_WIDTH)), font, size, color)

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LEADING

    def draw(self, canvas: Canvas, top: float) -> float:
        """Draw with the first baseline under `top`; return the y under the last line."""
        canvas.setFont(self.font, self.size)
        canvas.setFillColor(self.color)
        y = top
        for line in self.lines:
            y -= self.size * LEADING
            canvas.drawCentredString(PAGE_WIDTH / 2, y + self.size * (LEADING - 1), line)
        return y


def emergency_numbers(library: Library) -> list[tuple[str, str]]:
    """The emergency numbers as (number, what for), from the `noodnummers` item's verified
    phone numbers; empty when it has none."""
    item = library.items.get("noodnummers")
    if not isinstance(item, Partner):
        return []
    return [
        (printable(contact.waarde), printable(contact.label or ""))
        for contact in item.contact
        if contact.soort is ContactKind.TELEFOON and contact.verified and contact.waarde
    ]


@dataclass(frozen=True)
class _Layout:
    """Everything on the page, measured at one text scale."""

    scale: float
    head: tuple[_Paragraph, ...]
    link: _Paragraph
    emergency_head: _Paragraph
    numbers: tuple[tuple[str, str], ...]
    fallback: _Paragraph | None
    foot: _Paragraph | None

    @classmethod
    def build(cls, library: Library, link: str, topic: str | None, scale: float) -> _Layout:
        texts = library.file(SharingFile).affiche
        head = [_Paragraph.of(texts.titel, BOLD, TITLE_SIZE * scale)]
        head += [_Paragraph.of(line, FONT, LINE_SIZE * scale) for line in texts.regels]
        if topic is not None:
            line = parse_template(texts.onderwerp).render({"titel": topic})
            head.append(_Paragraph.of(line, BOLD, TOPIC_SIZE * scale))
        head.append(_Paragraph.of(texts.scan, FONT, SCAN_SIZE * scale))
        numbers = tuple(emergency_numbers(library)[:MAX_NUMBERS])
        nood = library.file(UrgentFile).noodantwoord.nummers
        return cls(
            scale=scale,
            head=tuple(head),
            link=_Paragraph.of(link.removeprefix("https://"), BOLD, LINK_SIZE * scale),
            emergency_head=_Paragraph.of(
                texts.noodnummers, BOLD, EMERGENCY_HEAD_SIZE * scale, EMERGENCY_RED
            ),
            numbers=numbers,
            fallback=None if numbers else _Paragraph.of(nood, FONT, LABEL_SIZE * scale),
            foot=_Paragraph.of(texts.voet, FONT, FOOT_SIZE * scale, FOOT_GREY)
            if texts.voet
            else None,
        )

    @property
    def box_height(self) -> float:
        numbers = len(self.numbers) * NUMBER_SIZE * self.scale * LEADING
        if self.fallback is not None:
            numbers = self.fallback.height
        return 2 * BOX_PADDING + self.emergency_head.height + numbers

    @property
    def qr_room(self) -> float:
        """The height left for the QR code."""
        used = (
            sum(p.height for p in self.head)
            + GAP * (len(self.head) + 2)
            + self.link.height
            + self.box_height
            + (self.foot.height + GAP if self.foot else 0)
        )
        return PAGE_HEIGHT - 2 * MARGIN - used


def poster_pdf(library: Library, link: str, topic: str | None = None) -> bytes:
    """The A4 poster for `link` as PDF bytes; `topic` is the title of what the link opens
    (an item, a regional VK), None for the bot itself.

    The text is set at its full size when it leaves room for a QR code of at least
    `QR_SMALLEST`, else a little smaller, down to `SMALLEST_SCALE` (the content's length limits
    keep even the longest texts above it).
    """
    _register_fonts()
    scale = 1.0
    layout = _Layout.build(library, link, topic, scale)
    while layout.qr_room < QR_SMALLEST and scale > SMALLEST_SCALE:
        scale = round(scale - SCALE_STEP, 2)
        layout = _Layout.build(library, link, topic, scale)
    if layout.qr_room < QR_SMALLEST:
        raise PosterError(
            f"the poster's texts leave {layout.qr_room / mm:.0f} mm for the QR code "
            f"(at least {QR_SMALLEST / mm:.0f} mm): shorten them"
        )
    qr_size = min(QR_LARGEST, layout.qr_room)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(printable(library.file(SharingFile).affiche.titel))
    y = PAGE_HEIGHT - MARGIN
    for paragraph in layout.head:
        y = paragraph.draw(canvas, y) - GAP
    y -= qr_size
    _draw_qr(canvas, link, (PAGE_WIDTH - qr_size) / 2, y, qr_size)
    y = layout.link.draw(canvas, y - GAP / 2) - GAP
    _draw_emergency(canvas, y, layout)
    if layout.foot is not None:
        layout.foot.draw(canvas, MARGIN + layout.foot.height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_qr(canvas: Canvas, link: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any print size), with its quiet zone."""
    rows = [
        list(row)
        for row in segno.make(link, error=QR_ERROR_LEVEL).matrix_iter(scale=1, border=QR_BORDER)
    ]
    module = size / len(rows)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        start: int | None = None
        for c, dark in enumerate([*row, False]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                # One rectangle per run of dark modules; a hair wider so no seam shows.
                canvas.rect(
                    x + start * module,
                    top,
                    (c - start) * module + 0.05,
                    module + 0.05,
                    stroke=0,
                    fill=1,
                )
                start = None


def _draw_emergency(canvas: Canvas, top: float, layout: _Layout) -> None:
    """The emergency numbers in a red-bordered box: the heading, then number and purpose."""
    height = layout.box_height
    canvas.setStrokeColor(EMERGENCY_RED)
    canvas.setLineWidth(2)
    canvas.roundRect(MARGIN, top - height, TEXT_WIDTH, height, 4 * mm, stroke=1, fill=0)
    y = layout.emergency_head.draw(canvas, top - BOX_PADDING)
    if layout.fallback is not None:
        layout.fallback.draw(canvas, y)
        return
    number_size = NUMBER_SIZE * layout.scale
    label_size = LABEL_SIZE * layout.scale
    middle = PAGE_WIDTH / 2 - 22 * mm
    label_x = middle + 4 * mm
    width = PAGE_WIDTH - MARGIN - BOX_PADDING - label_x
    for number, label in layout.numbers:
        y -= number_size * LEADING
        baseline = y + number_size * (LEADING - 1)
        canvas.setFillColor(black)
        canvas.setFont(BOLD, number_size)
        canvas.drawRightString(middle, baseline, number)
        canvas.setFont(FONT, label_size)
        shown = simpleSplit(label, FONT, label_size, width)[:1]
        canvas.drawString(label_x, baseline, shown[0] if shown else "")
