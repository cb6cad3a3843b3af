"""Sharing in the domain: deep links, QR codes read back by a real reader, the poster, inline
results, what `/deel` shares, and the content checks that keep every id a working link.

The QR codes are decoded with zxing-cpp (a QR reader nobody on this project wrote), from the
PNG and from the poster's page as PDFium renders it: never compared with segno's own matrix.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pytest
import yaml
import zxingcpp
from PIL import Image

from bot import actions
from bot.cli import main
from bot.content.contract import REQUIRED_IDS
from bot.content.library import Library
from bot.content.limits import (
    MAX_BUTTONS,
    MAX_POSTER_LINE_CHARS,
    MAX_POSTER_LINES,
    MAX_POSTER_TITLE_CHARS,
    MAX_START_PAYLOAD_CHARS,
    MAX_TITLE_CHARS,
)
from bot.content.loader import check_content
from bot.content.model import SharingFile
from bot.engine import Engine
from bot.inline import EMPTY_QUERY_ITEMS, MAX_INLINE_RESULTS, inline_choices, inline_item_ids
from bot.poster import PAGE_HEIGHT, PAGE_WIDTH, poster_pdf, printable
from bot.replies import Button, Reply
from bot.sharing import (
    as_shared,
    bot_link,
    deep_link,
    open_button,
    pinnable_overview,
    qr_png,
    share_target,
    start_payload_for_press,
    target_for_payload,
    texts,
)
from bot.store import ContentStore, shipped_model
from tests.conftest import FIXTURE_CONTENT, SHIPPED_CONTENT, TODAY

BOT = "PlaybookTestBot"


@pytest.fixture(scope="module")
def shipped() -> Engine:
    return Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))


def start_parameter(link: str) -> str | None:
    """The `start` parameter of a t.me link, as Telegram reads it."""
    parts = urlsplit(link)
    assert parts.scheme == "https"
    assert parts.netloc == "t.me"
    [start] = parse_qs(parts.query).get("start", [None])
    return start


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def pdf_page(pdf: bytes) -> pdfium.PdfPage:
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    return document[0]


def pdf_text(pdf: bytes) -> str:
    text: str = pdf_page(pdf).get_textpage().get_text_range()
    return text.replace("\r\n", "\n")


def decode_pdf_qr(pdf: bytes) -> list[str]:
    return decode_qr(pdf_page(pdf).render(scale=2).to_pil())


# -- deep links -----------------------------------------------------------------------------------


def test_deep_links_for_the_bot_an_item_and_a_postal_code() -> None:
    assert bot_link(BOT) == f"https://t.me/{BOT}"
    assert deep_link("@" + BOT, None) == f"https://t.me/{BOT}"
    assert deep_link(BOT, "signalen-noteren") == f"https://t.me/{BOT}?start=signalen-noteren"
    assert deep_link(BOT, "pc-3500") == f"https://t.me/{BOT}?start=pc-3500"


@pytest.mark.parametrize(
    "payload", ["", "met spatie", "é", "a" * (MAX_START_PAYLOAD_CHARS + 1), "pc-0123", "pc-35"]
)
def test_a_payload_telegram_would_refuse_is_refused(payload: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(payload.removeprefix("pc-")))):
        deep_link(BOT, payload)


@pytest.mark.parametrize("username", ["", "ab", "1bot", "bot name", "a" * 40])
def test_a_username_telegram_would_refuse_is_refused(username: str) -> None:
    with pytest.raises(ValueError, match="username"):
        bot_link(username)


@pytest.mark.parametrize(
    ("item_id", "problem"),
    [
        ("pc-3500", "gereserveerd voor links naar een postcode"),
        ("a" * 65, "kan geen link worden"),
        ("twee woorden", "kan geen link worden"),
        ("stappenplan", None),
        ("1712", None),
    ],
)
def test_start_payload_problem(item_id: str, problem: str | None) -> None:
    found = actions.start_payload_problem(item_id)
    assert found is None if problem is None else problem in (found or "")


def test_every_required_id_opens_its_item_through_its_deep_link(shipped: Engine) -> None:
    library = shipped.store.current.library
    for item_id in sorted(REQUIRED_IDS):
        payload = start_parameter(deep_link(BOT, item_id))
        assert payload == item_id
        assert len(payload) <= MAX_START_PAYLOAD_CHARS
        assert actions.START_PAYLOAD.match(payload)
        assert shipped.start(payload) == shipped.show(item_id), item_id
        assert shipped.start(payload) != shipped.start(None), item_id
        assert library.items[item_id].titel in shipped.start(payload).plain_text(), item_id


def test_every_item_opens_through_its_deep_link(shipped: Engine) -> None:
    for item_id in shipped.store.current.library.items:
        assert shipped.start(start_parameter(deep_link(BOT, item_id))) == shipped.show(item_id)


def test_every_postal_code_opens_its_region_through_its_deep_link(shipped: Engine) -> None:
    library = shipped.store.current.library
    codes = sorted({area.postcode for area in library.regions.postcodes})
    assert len(codes) > 500
    for code in codes:
        payload = start_parameter(deep_link(BOT, f"pc-{code}"))
        assert payload == f"pc-{code}"
        assert shipped.start(payload) == shipped.place(code), code
        assert shipped.start(payload) != shipped.start(None), code


# -- the content check keeps ids usable as links --------------------------------------------------


def _add_question(content: Path, item_id: str) -> None:
    path = content / "vragen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["vragen"].append(
        {
            "id": item_id,
            "titel": "Nieuw",
            "kern": "Nieuwe kern.",
            "tekst": "Nieuw antwoord.",
            "zoektermen": ["iets heel nieuws"],
            "bronnen": ["https://example.org/nieuw"],
            "nagekeken": "2026-11-01",
        }
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_check_refuses_an_id_that_would_open_a_postal_code(content_copy: Path) -> None:
    _add_question(content_copy, "pc-3500")

    library, problems = check_content(content_copy, today=TODAY)

    assert library is None
    [problem] = [p for p in problems if p.level.value == "error"]
    assert problem.file.endswith("vragen.yaml")
    assert problem.line > 1
    assert str(problem).endswith(
        "error: [pc-3500] id: de id 'pc-3500' is gereserveerd voor links naar een postcode (pc- "
        "en vier cijfers) (hint: kies een andere id: de link t.me/…?start=<id> moet dit item "
        "openen)"
    )


def test_check_refuses_an_id_that_cannot_be_a_payload(content_copy: Path) -> None:
    _add_question(content_copy, "twee woorden")

    library, problems = check_content(content_copy, today=TODAY)

    assert library is None
    [problem] = [p for p in problems if p.level.value == "error"]
    assert "'twee woorden' is geen geldige id" in str(problem)


def test_the_shipped_ids_are_all_payloads(shipped: Engine) -> None:
    for item_id in shipped.store.current.library.items:
        assert actions.start_payload_problem(item_id) is None, item_id


def _edit_sharing(content: Path, section: str, key: str, value: object) -> None:
    path = content / "delen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[section][key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("affiche", "titel", "Zorgen? 🚨", "het teken '🚨' kan niet op de affiche gedrukt worden"),
        ("affiche", "regels", ["Alleen één regel."], "te weinig elementen: 1 (min. 2)"),
        ("affiche", "regels", ["een", "twee", "drie", "vier"], "te veel elementen: 4 (max. 3)"),
        ("affiche", "titel", "x" * (MAX_POSTER_TITLE_CHARS + 1), "is te lang"),
        ("deel", "onderwerp", "Deel {item}.", "onbekende invulplaats {item}"),
        ("deel", "qr_bijschrift", "Scan {link:>99}", "opmaak na ':'"),
        ("deel", "bestandsnaam", "Affiche Gent", "'Affiche Gent' kan geen bestandsnaam zijn"),
        ("groep", "vastzetten", "x" * 599, "het stappenplan om vast te zetten"),
    ],
)
def test_check_refuses_sharing_texts_that_would_not_work(
    content_copy: Path, section: str, key: str, value: object, message: str
) -> None:
    _edit_sharing(content_copy, section, key, value)
    if section == "groep":  # the pinned plan: this sentence with a long overview
        path = content_copy / "stappen.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["overzicht"]["tekst"] = "Een zin over de stappen. " * 120
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    library, problems = check_content(content_copy, today=TODAY)

    assert library is None
    errors = [str(p) for p in problems if p.level.value == "error"]
    assert any(message in e and "delen.yaml" in e for e in errors), errors


def test_a_missing_sharing_file_is_an_error(content_copy: Path) -> None:
    (content_copy / "delen.yaml").unlink()

    library, problems = check_content(content_copy, today=TODAY)

    assert library is None
    assert any("delen.yaml" in str(p) for p in problems)


# -- QR codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [None, "stappenplan", "pc-3500", "a" * 40])
def test_the_qr_png_decodes_back_to_its_link(payload: str | None) -> None:
    link = deep_link(BOT, payload)
    png = qr_png(link)

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == image.height >= 250
    assert decode_qr(image) == [link]


# -- the poster -----------------------------------------------------------------------------------


def _fixture_library() -> Library:
    return ContentStore.open(FIXTURE_CONTENT, today=TODAY).current.library


def _lines_of_content(library: Library, link: str, topic: str | None) -> set[str]:
    words = texts(library).affiche
    allowed = {words.titel, *words.regels, words.scan, words.noodnummers, words.voet or ""}
    if topic is not None:
        allowed.add(words.onderwerp.replace("{titel}", topic))
    allowed.add(link.removeprefix("https://"))
    return allowed


@pytest.mark.parametrize(("payload", "topic"), [(None, None), ("twijfel", "Twijfel")])
def test_the_poster_is_one_a4_page_of_content_text_and_a_qr_code(
    payload: str | None, topic: str | None
) -> None:
    library = _fixture_library()
    link = deep_link(BOT, payload)

    pdf = poster_pdf(library, link, topic)

    assert pdf.startswith(b"%PDF-")
    page = pdf_page(pdf)
    width, height = page.get_size()
    assert (round(width, 1), round(height, 1)) == (round(PAGE_WIDTH, 1), round(PAGE_HEIGHT, 1))
    assert decode_pdf_qr(pdf) == [link]
    # Every line printed is content (or the link); the numbers come from `noodnummers`.
    text = " ".join(pdf_text(pdf).split())
    allowed = _lines_of_content(library, link, topic)
    for sentence in allowed:
        assert " ".join(sentence.split()) in text, sentence
    rest = text
    for sentence in sorted(allowed, key=len, reverse=True):
        rest = rest.replace(" ".join(sentence.split()), " ")
    assert rest.split() == ["101", "Politie", "112", "Medische", "hulp"]


def test_the_shipped_poster_decodes_and_lists_the_emergency_numbers(shipped: Engine) -> None:
    library = shipped.store.current.library
    link = deep_link("PlaybookBot", "stappenplan")

    pdf = poster_pdf(library, link, library.items["stappenplan"].titel)

    assert decode_pdf_qr(pdf) == [link]
    text = " ".join(pdf_text(pdf).split())
    for number in ("112", "101", "070 245 245", "116 000", "106"):
        assert number in text
    assert "t.me/PlaybookBot?start=stappenplan" in text
    assert texts(library).affiche.titel in text


def test_the_poster_is_reproducible() -> None:
    library = _fixture_library()
    link = deep_link(BOT, "twijfel")
    assert poster_pdf(library, link, "Twijfel") == poster_pdf(library, link, "Twijfel")


def test_the_longest_texts_the_content_allows_still_fit_with_a_readable_code(
    content_copy: Path,
) -> None:
    words = "Dit is een regel op de affiche die net zo lang is als de inhoud toelaat "
    _edit_sharing(content_copy, "affiche", "titel", ("Zorgen " * 20)[:MAX_POSTER_TITLE_CHARS])
    _edit_sharing(
        content_copy,
        "affiche",
        "regels",
        [(words * 4)[:MAX_POSTER_LINE_CHARS].strip()] * MAX_POSTER_LINES,
    )
    _edit_sharing(content_copy, "affiche", "scan", (words * 4)[:MAX_POSTER_LINE_CHARS].strip())
    _edit_sharing(content_copy, "affiche", "voet", (words * 4)[:MAX_POSTER_LINE_CHARS].strip())
    library = ContentStore.open(content_copy, today=TODAY).current.library
    link = deep_link(BOT, "a" * 40)

    pdf = poster_pdf(library, link, "Titel " * (MAX_TITLE_CHARS // 6))

    assert decode_pdf_qr(pdf) == [link]


def test_emoji_in_an_item_title_are_left_off_the_poster() -> None:
    assert printable("🧭 Beslishulp: wat nu?") == "Beslishulp: wat nu?"
    library = _fixture_library()
    pdf = poster_pdf(library, deep_link(BOT, "beslishulp"), "🧭 Beslishulp")
    assert "Over Beslishulp" in pdf_text(pdf)


def test_playbook_poster_writes_the_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "affiche.pdf"

    code = main(
        ["--content", str(FIXTURE_CONTENT), "poster", "pc-3500", "--bot", BOT, "-o", str(output)]
    )

    assert code == 0
    link = f"https://t.me/{BOT}?start=pc-3500"
    assert capsys.readouterr().out.strip() == f"{output} ({link})"
    pdf = output.read_bytes()
    assert decode_pdf_qr(pdf) == [link]
    assert "Over Vk limburg" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["bestaat-niet"], "Onbekend id of postcode: bestaat-niet"),
        (["pc-1111"], "Onbekend id of postcode: pc-1111"),
        (["twijfel", "--bot", "geen bot"], "not a Telegram bot username"),
    ],
)
def test_playbook_poster_refuses_what_it_cannot_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], error: str
) -> None:
    output = tmp_path / "affiche.pdf"
    argv = ["--content", str(FIXTURE_CONTENT), "poster", *arguments, "-o", str(output)]
    if "--bot" not in arguments:
        argv += ["--bot", BOT]

    assert main(argv) == 1

    assert error in capsys.readouterr().err
    assert not output.exists()


def test_playbook_poster_without_an_id_links_the_bot(tmp_path: Path) -> None:
    output = tmp_path / "poster.pdf"
    assert (
        main(["--content", str(FIXTURE_CONTENT), "poster", "--bot", BOT, "-o", str(output)]) == 0
    )
    assert decode_pdf_qr(output.read_bytes()) == [f"https://t.me/{BOT}"]


# -- inline mode: which items, in which order -----------------------------------------------------


def test_an_empty_query_offers_the_step_plan_the_numbers_and_the_decision_aid(
    engine: Engine,
) -> None:
    for query in ("", "   ", "?!"):
        assert inline_item_ids(engine, query) == list(EMPTY_QUERY_ITEMS)


def test_a_question_offers_the_item_the_bot_would_answer_first(engine: Engine) -> None:
    ids = inline_item_ids(engine, "Ik twijfel, wat moet ik doen?")
    assert ids[0] == "twijfel"
    assert engine.ask("Ik twijfel, wat moet ik doen?").hits[0].item_id == "twijfel"
    assert len(ids) <= MAX_INLINE_RESULTS


def test_an_ambiguous_question_offers_the_options_of_bedoel_je(engine: Engine) -> None:
    answer = engine.ask("signalen")
    ids = inline_item_ids(engine, "signalen")
    assert [h.item_id for h in answer.hits] == ids[: len(answer.hits)]
    assert len(ids) > 1


def test_an_urgent_question_puts_the_emergency_item_first(engine: Engine) -> None:
    ids = inline_item_ids(engine, "er is een mes")
    assert ids[:2] == ["acuut-gevaar", "noodnummers"]


def test_a_question_in_doubt_puts_the_emergency_item_under_the_best_match(
    shipped: Engine,
) -> None:
    question = "mama had een blauw oog en de kleine zegt papa boos"
    reading = shipped.read(question)
    assert reading.urgency.level.value == "twijfel"
    ids = inline_item_ids(shipped, question)
    assert ids[1] == "acuut-gevaar"


def test_nothing_matched_offers_the_empty_query_items(engine: Engine) -> None:
    assert inline_item_ids(engine, "qwxz plof") == list(EMPTY_QUERY_ITEMS)


def test_every_title_finds_its_own_item_first(shipped: Engine) -> None:
    # The share button sends the item's title as the inline query.
    for item_id, item in shipped.store.current.library.items.items():
        assert inline_item_ids(shipped, item.titel)[0] == item_id


def test_shipped_urgent_questions_put_the_emergency_item_first(shipped: Engine) -> None:
    for question in (
        "er staat een papa met een mes aan de deur",
        "HELP hij ademt niet meer",
        "mama is dronken en wil nu met het kind wegrijden",
    ):
        assert inline_item_ids(shipped, question)[0] == "acuut-gevaar", question


def test_inline_choices_carry_title_description_and_the_item_reply(engine: Engine) -> None:
    [first, *_] = inline_choices(engine, "twijfel")
    library = engine.store.current.library
    assert first.item_id == "twijfel"
    assert first.title == library.items["twijfel"].titel
    assert first.description == "Antwoord over twijfel."
    assert first.reply == engine.show("twijfel")


def test_a_long_description_is_cut_at_a_word(shipped: Engine) -> None:
    for choice in inline_choices(shipped, "blauwe plekken"):
        assert 0 < len(choice.description) <= 100
        if choice.description.endswith("…"):
            assert not choice.description[:-1].endswith(" ")


# -- shared replies -------------------------------------------------------------------------------


def test_answers_carry_a_share_button_with_the_items_title(engine: Engine) -> None:
    library = engine.store.current.library
    label = texts(library).knoppen.delen
    for item_id in library.items:
        if item_id == "beslishulp":
            continue  # its first question: the walk itself is not shared by a button
        reply = engine.show(item_id)
        assert reply is not None
        shares = [b for b in reply.all_buttons() if b.share is not None]
        if item_id == library.overview.id and len(library.steps) >= MAX_BUTTONS:
            # Its six steps fill the six buttons (issue 9); shared by `@bot` or /deel.
            assert shares == [], item_id
            continue
        assert shares == [Button(label, share=library.items[item_id].titel)], item_id
        # On the row of the menu button (in place in the step plan), at the bottom.
        menu = "m*" if library.step_index(item_id) is not None else "m"
        assert reply.buttons[-1][-2:] == (shares[0], Button("Tekst knop menu", menu)), item_id
        assert len(reply.all_buttons()) <= MAX_BUTTONS


def test_as_shared_puts_open_in_the_bot_first_and_drops_menu_and_share(engine: Engine) -> None:
    library = engine.store.current.library
    reply = engine.show("signalen-noteren")
    assert reply is not None
    link = deep_link(BOT, "signalen-noteren")

    shared = as_shared(reply, open_button(library, link))

    assert shared.blocks == reply.blocks
    assert shared.buttons[0] == (Button("Tekst knop open in bot", url=link),)
    kept = shared.all_buttons()[1:]
    assert all(b.share is None and b.data != "m" for b in kept)
    assert [b.data for b in kept] == [
        b.data for b in reply.all_buttons() if b.data not in (None, "m", "m*")
    ]


def test_the_pinnable_overview_is_one_message_of_deep_links(engine: Engine) -> None:
    library = engine.store.current.library
    reply = pinnable_overview(library, BOT)

    assert reply.plain_text().startswith(
        "Tekst vastzetten.\n\nStappenplan\n\nKern over het stappenplan.\n\nAlle stappen."
    )
    buttons = reply.all_buttons()
    assert all(b.data is None and b.url for b in buttons)
    # Six steps fill the six buttons (issue 9): every step, no separate "Open in de bot".
    assert len(library.steps) == MAX_BUTTONS
    assert [start_parameter(b.url or "") for b in buttons] == [s.id for s in library.steps]


def test_press_links_open_what_the_press_would(engine: Engine) -> None:
    library = engine.store.current.library
    assert start_payload_for_press(library, "i:twijfel") == "twijfel"
    assert start_payload_for_press(library, "p:3500") == "pc-3500"
    assert start_payload_for_press(library, "b:thuis:2") == "beslishulp"
    assert start_payload_for_press(library, "b") == "beslishulp"
    for opens_the_bot in ("m", "c", "l", "n", "i:bestaat-niet", "nonsense", ""):
        assert start_payload_for_press(library, opens_the_bot) is None


# -- what /deel shares ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "payload", "title", "sentence"),
    [
        ("", None, None, "Tekst deel bot."),
        ("twijfel", "twijfel", "Twijfel", "Deel Twijfel."),
        ("  TWIJFEL ", "twijfel", "Twijfel", "Deel Twijfel."),
        ("3500", "pc-3500", "Vk limburg", "Deel regio 3500 Hasselt."),
        ("pc-9000", "pc-9000", "Vk oost vlaanderen", "Deel regio 9000 Gent."),
        ("ik twijfel wat moet ik doen", "twijfel", "Twijfel", "Deel Twijfel."),
        ("qwxz plof", None, None, "Tekst deel onbekend."),
        ("1111", None, None, "Tekst deel onbekend."),
    ],
)
def test_share_target(
    engine: Engine, argument: str, payload: str | None, title: str | None, sentence: str
) -> None:
    target = share_target(engine, argument)
    assert (target.payload, target.title, target.sentence) == (payload, title, sentence)


def test_target_for_payload_is_strict(engine: Engine) -> None:
    assert target_for_payload(engine, "twijfel") is not None
    assert target_for_payload(engine, "twijfel wat") is None
    assert target_for_payload(engine, "pc-1111") is None


def test_sharing_texts_come_from_delen_yaml(engine: Engine) -> None:
    library = engine.store.current.library
    assert library.file(SharingFile) is texts(library)
    assert texts(library).knoppen.open_in_bot == "Tekst knop open in bot"


def test_a_reply_without_buttons_is_shared_with_only_open_in_the_bot(engine: Engine) -> None:
    library = engine.store.current.library
    shared = as_shared(Reply(()), open_button(library, bot_link(BOT)))
    assert shared.buttons == ((Button("Tekst knop open in bot", url=bot_link(BOT)),),)
