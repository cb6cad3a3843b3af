"""Unit tests for bot_telegram/render.py: escaped HTML, styles, splitting, keyboards.

`assert_telegram_html` is also used by the handler tests: it checks a text the way Telegram's
HTML parse mode reads it (only the tags the renderer writes, only known entities, every tag
closed in the same message) and returns the text a user sees.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.replies import Block, Button, Link, Reply, Style
from bot_telegram.render import (
    MAX_TEXT,
    QUOTE_CLOSE,
    QUOTE_OPEN,
    OutgoingMessage,
    _cut,
    keyboard,
    to_messages,
)

_TOKEN = re.compile(
    r"<(/?)(b|i|blockquote|a)( expandable| href=\"[^\"<>]*\")?>|&(amp|lt|gt|quot);|[^<>&]+|[<>&]"
)
_OPENING = {"b": "", "i": "", "blockquote": "expandable", "a": "href"}
_QUOTE = re.compile(r"<blockquote expandable>.*?</blockquote>", re.DOTALL)


def assert_telegram_html(text: str) -> str:
    """Fail unless `text` is valid for parse_mode=HTML as the renderer writes it; return it plain.

    Telegram rejects a message whose ``<``, ``>`` or ``&`` is neither part of a tag nor an
    entity, and a tag left open at the end of a message ("Can't parse entities"). The renderer
    writes <b>, <i>, <a href="…"> and <blockquote expandable>; a quotation is never inside
    another tag, and no tag is nested in itself.
    """
    open_tags: list[str] = []
    plain: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if match.group(2):
            tag, attribute = match.group(2), match.group(3) or ""
            if match.group(1):
                assert not attribute, f"attribute on a closing tag in {text!r}"
                assert open_tags, f"</{tag}> without <{tag}> in {text!r}"
                assert open_tags[-1] == tag, f"</{tag}> closes <{open_tags[-1]}> in {text!r}"
                open_tags.pop()
            else:
                expected = _OPENING[tag]
                assert attribute.strip().startswith(expected), f"<{tag}{attribute}> in {text!r}"
                assert tag not in open_tags, f"<{tag}> nested in itself in {text!r}"
                if tag == "blockquote":
                    assert not open_tags, f"a quotation inside <{open_tags[-1]}> in {text!r}"
                open_tags.append(tag)
        elif match.group(4):
            plain.append(html.unescape(token))
        else:
            assert token not in {"<", ">", "&"}, f"unescaped {token!r} in {text!r}"
            plain.append(token)
    assert not open_tags, f"unclosed {open_tags} in {text!r}"
    return "".join(plain)


def first_screen_of(text: str) -> str:
    """What a phone shows of a message before the details are expanded: the text outside
    expandable quotations, tags stripped, entities unescaped."""
    return assert_telegram_html(_QUOTE.sub("", text))


def texts(messages: list[OutgoingMessage]) -> list[str]:
    return [message.text for message in messages]


def words(text: str) -> list[str]:
    """The words of a plain text, without bullets (what must survive any splitting)."""
    return [word for word in text.split() if word != "•"]


def callback_rows(markup: InlineKeyboardMarkup | None) -> list[list[str | None]]:
    assert markup is not None
    return [
        [str(b.callback_data) if b.callback_data else None for b in row]
        for row in markup.inline_keyboard
    ]


# -- the validator itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["a < b", "a > b", "fish & chips", "<b>open", "close</b>", "<i><b>x</i></b>", "<script>x"],
)
def test_validator_rejects_what_telegram_rejects(bad: str) -> None:
    with pytest.raises(AssertionError):
        assert_telegram_html(bad)


def test_validator_returns_the_visible_text() -> None:
    assert assert_telegram_html("<b>A &amp; B</b> &lt;3 <i>x</i>") == "A & B <3 x"
    quoted = '<b>Kern</b>\n<blockquote expandable>Meer <a href="https://a.be/?x=1&amp;y=2">a.be</a></blockquote>'
    assert assert_telegram_html(quoted) == "Kern\nMeer a.be"
    assert first_screen_of(quoted) == "Kern\n"


@pytest.mark.parametrize(
    "bad",
    [
        "<b><blockquote expandable>x</blockquote></b>",
        "<blockquote expandable><blockquote expandable>x</blockquote></blockquote>",
        "<blockquote expandable>x",
        '<a href="x"><a href="y">z</a></a>',
        "<a>x</a>",
    ],
)
def test_validator_rejects_bad_quotations_and_links(bad: str) -> None:
    with pytest.raises(AssertionError):
        assert_telegram_html(bad)


# -- escaping and styles --------------------------------------------------------------------------


def test_special_characters_are_escaped_in_every_style() -> None:
    raw = 'Tom & Jerry <script>alert("x")</script> > 3'
    reply = Reply(tuple(Block(style, (raw,)) for style in Style))
    [message] = to_messages(reply)

    assert "<script>" not in message.text
    assert "Tom &amp; Jerry &lt;script&gt;" in message.text
    assert '"x"' in message.text  # quotes need no escaping outside attributes
    assert assert_telegram_html(message.text).count(raw) == len(Style)


def test_content_that_looks_like_html_is_shown_literally() -> None:
    reply = Reply((Block(Style.TITLE, ("<b>vet</b> &amp;",)),))
    [message] = to_messages(reply)

    assert message.text == "<b>&lt;b&gt;vet&lt;/b&gt; &amp;amp;</b>"
    assert assert_telegram_html(message.text) == "<b>vet</b> &amp;"


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (Style.TITLE, "<b>Titel</b>"),
        (Style.ALERT, "<b>Titel</b>"),
        (Style.NOTE, "<i>Titel</i>"),
        (Style.TEXT, "Titel"),
        (Style.BULLETS, "• Titel"),
    ],
)
def test_styles(style: Style, expected: str) -> None:
    [message] = to_messages(Reply((Block(style, ("Titel",)),)))
    assert message.text == expected


def test_bullets_one_line_each_and_blocks_separated_by_a_blank_line() -> None:
    reply = Reply(
        (
            Block(Style.TITLE, ("Stappen",)),
            Block(Style.BULLETS, ("een", "twee", "drie")),
            Block(Style.NOTE, ("noot",)),
        )
    )
    [message] = to_messages(reply)
    assert message.text == "<b>Stappen</b>\n\n• een\n• twee\n• drie\n\n<i>noot</i>"


def test_empty_reply_is_still_a_message() -> None:
    [message] = to_messages(Reply((), ((Button("Menu", "m"),),)))
    assert message.text == "…"
    assert callback_rows(message.keyboard) == [["m"]]


# -- details, links and the first screen ----------------------------------------------------------


def test_details_go_in_an_expandable_quotation_between_first_screen_and_footer() -> None:
    reply = Reply(
        (Block(Style.TITLE, ("Titel",)), Block(Style.TEXT, ("Kern.",))),
        ((Button("Menu", "m"),),),
        details=(Block(Style.TEXT, ("Uitleg.",)), Block(Style.BULLETS, ("een", "twee"))),
        footer=(Block(Style.NOTE, ("Dit helpt ook:",)),),
    )
    [message] = to_messages(reply)

    assert message.text == (
        "<b>Titel</b>\n\nKern.\n<blockquote expandable>Uitleg.\n\n• een\n• twee"
        "</blockquote>\n<i>Dit helpt ook:</i>"
    )
    assert first_screen_of(message.text) == reply.first_screen()


def test_links_are_short_labels_with_escaped_addresses() -> None:
    line = ("Bronnen: ", Link("kindreflex.be", 'https://kindreflex.be/a?b=1&c="2"'), " · ", "Doc")
    reply = Reply((Block(Style.TEXT, ("x",)),), details=(Block(Style.LINKS, (line,)),))
    [message] = to_messages(reply)

    assert (
        '<a href="https://kindreflex.be/a?b=1&amp;c=&quot;2&quot;">kindreflex.be</a> · Doc'
        in message.text
    )
    assert "https://" not in assert_telegram_html(message.text)


def test_long_details_continue_in_a_new_quotation_in_the_next_message() -> None:
    details = tuple(Block(Style.TEXT, (" ".join(["detail"] * 150),)) for _ in range(8))
    reply = Reply((Block(Style.TEXT, ("Kern.",)),), ((Button("Menu", "m"),),), details=details)
    messages = to_messages(reply)

    assert len(messages) == 3  # 8 blocks of 1,049 characters: three a message
    assert messages[0].text.startswith("Kern.\n" + QUOTE_OPEN)
    for message in messages:
        assert len(message.text) <= MAX_TEXT
        assert message.text.endswith(QUOTE_CLOSE)
        assert_telegram_html(message.text)
    assert all(m.text.startswith(QUOTE_OPEN) for m in messages[1:])
    assert words(" ".join(assert_telegram_html(m.text) for m in messages)).count("detail") == 1200


def test_a_link_is_never_cut_in_a_long_line() -> None:
    link = Link("label", "https://example.org/" + "p" * 60)
    line = tuple(part for _ in range(30) for part in ("woord " * 5, link, " "))
    messages = to_messages(Reply((Block(Style.LINKS, (line,)),)), limit=300)

    assert len(messages) > 1
    for message in messages:
        assert len(message.text) <= 300
        assert_telegram_html(message.text)
    assert sum(m.text.count("<a href=") for m in messages) == 30


# -- splitting ------------------------------------------------------------------------------------


def test_a_short_reply_is_one_message() -> None:
    reply = Reply((Block(Style.TEXT, ("kort",)),), ((Button("Menu", "m"),),))
    assert len(to_messages(reply)) == 1


def test_splits_at_block_boundaries() -> None:
    blocks = tuple(Block(Style.TEXT, (f"{n} " + " ".join(["woord"] * 240),)) for n in range(6))
    messages = to_messages(Reply(blocks))

    assert len(messages) == 3  # 1,441 characters a block: two per message
    assert all(len(text) <= MAX_TEXT for text in texts(messages))
    for message in messages:
        # Every message holds whole blocks only: each starts and ends a paragraph.
        paragraphs = message.text.split("\n\n")
        assert len(paragraphs) == 2
        assert all(p.startswith(tuple("012345")) and p.endswith("woord") for p in paragraphs)


def test_a_block_that_fits_a_message_is_not_split_over_two() -> None:
    first = Block(Style.TEXT, ("a" * 30,))
    bullets = Block(Style.BULLETS, ("b" * 10, "c" * 10, "d" * 10))
    messages = to_messages(Reply((first, bullets)), limit=50)

    assert texts(messages) == ["a" * 30, "• bbbbbbbbbb\n• cccccccccc\n• dddddddddd"]


def test_exactly_at_the_limit_fits() -> None:
    block = Block(Style.TEXT, ("x" * MAX_TEXT,))
    [message] = to_messages(Reply((block,)))
    assert len(message.text) == MAX_TEXT


def test_a_single_block_longer_than_a_message_is_cut_at_spaces() -> None:
    paragraph = " ".join(f"woord{n}" for n in range(2000))  # 18,889 characters
    messages = to_messages(Reply((Block(Style.TEXT, (paragraph,)),)))

    assert len(paragraph) == 18_889
    assert len(messages) == 5
    assert all(len(text) <= MAX_TEXT for text in texts(messages))
    assert all(len(text) > MAX_TEXT // 2 for text in texts(messages)[:-1])
    # Cut between words, never inside one, and nothing lost or repeated.
    assert words(" ".join(texts(messages))) == paragraph.split()


def test_a_long_bullet_list_continues_line_by_line() -> None:
    items = tuple(f"punt {n} " + "x" * 90 for n in range(100))  # about 10,000 characters
    messages = to_messages(Reply((Block(Style.TITLE, ("Lijst",)), Block(Style.BULLETS, items))))

    assert len(messages) == 3
    assert messages[0].text.startswith("<b>Lijst</b>\n\n• punt 0 ")
    for text in texts(messages):
        assert len(text) <= MAX_TEXT
        assert all(line.startswith(("• ", "<b>")) or not line for line in text.split("\n"))
    assert [w for w in words(" ".join(texts(messages))) if w.startswith("punt")] == ["punt"] * 100


@pytest.mark.parametrize("style", [Style.TITLE, Style.ALERT, Style.NOTE])
def test_a_styled_line_longer_than_a_message_keeps_its_tags_balanced(style: Style) -> None:
    line = " ".join(["lang"] * 2500)  # 12,499 characters in one bold or italic line
    messages = to_messages(Reply((Block(style, (line,)),)))

    assert len(messages) == 4
    tag = "i" if style is Style.NOTE else "b"
    for text in texts(messages):
        assert len(text) <= MAX_TEXT
        assert text.startswith(f"<{tag}>")
        assert text.endswith(f"</{tag}>")
        assert_telegram_html(text)
    assert words(" ".join(assert_telegram_html(t) for t in texts(messages))) == line.split()


def test_a_long_bullet_is_not_given_a_second_bullet_when_cut() -> None:
    line = " ".join(["punt"] * 2000)
    messages = to_messages(Reply((Block(Style.BULLETS, (line,)),)))

    assert len(messages) == 3
    assert messages[0].text.startswith("• punt")
    assert not any(text.startswith("•") for text in texts(messages)[1:])


def test_a_word_longer_than_a_message_is_cut_hard() -> None:
    word = "x" * 10_000
    messages = to_messages(Reply((Block(Style.TEXT, (word,)),)))
    assert texts(messages) == ["x" * MAX_TEXT, "x" * MAX_TEXT, "x" * (10_000 - 2 * MAX_TEXT)]


@pytest.mark.parametrize("shift", range(6))
def test_an_html_entity_is_never_split(shift: int) -> None:
    # No spaces: every cut is a hard cut, and with each shift it lands elsewhere in "&amp;".
    raw = "y" * shift + "&<>" * 40
    limit = 20
    messages = to_messages(Reply((Block(Style.TEXT, (raw,)),)), limit=limit)

    assert len(messages) > 1
    for text in texts(messages):
        assert len(text) <= limit
        assert_telegram_html(text)
    assert "".join(assert_telegram_html(t) for t in texts(messages)) == raw


@given(
    blocks=st.lists(
        st.tuples(
            st.sampled_from(list(Style)),
            st.lists(
                st.text(alphabet="ab <>&\"'é", min_size=1, max_size=300).filter(str.strip),
                min_size=1,
                max_size=5,
            ),
        ),
        max_size=8,
    ),
    limit=st.integers(min_value=80, max_value=400),
    split=st.integers(min_value=0, max_value=8),
)
def test_any_reply_renders_to_valid_messages_within_the_limit(
    blocks: list[tuple[Style, list[str]]], limit: int, split: int
) -> None:
    # The first `split` blocks are the first screen, the rest the details.
    made = tuple(Block(style, tuple(lines)) for style, lines in blocks)
    reply = Reply(made[:split], ((Button("Menu", "m"),),), details=made[split:])
    messages = to_messages(reply, limit=limit)

    visible = [assert_telegram_html(text) for text in texts(messages)]
    assert all(0 < len(text) <= limit for text in texts(messages))
    # Splitting loses no visible character (spaces aside, where lines are cut).
    expected = "".join("".join(line.split()) for _, lines in blocks for line in lines) or "…"
    assert "".join("".join(words(text)) for text in visible) == expected
    assert [m.keyboard is not None for m in messages] == [False] * (len(messages) - 1) + [True]


# -- linear-time splitting ------------------------------------------------------------------------


def _cut_before(text: str, limit: int) -> list[str]:
    """`render._cut` as it was before it was made linear (it sliced off the rest every time)."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        if cut <= limit // 2:
            cut = limit
            entity = text.rfind("&", max(0, cut - len("&amp;") + 1), cut)
            if entity > 0 and ";" not in text[entity:cut]:
                cut = entity
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    parts.append(text)
    return parts


@given(
    text=st.lists(st.sampled_from(["a", "bb", " ", "  ", "\n", "\u3000", "&amp;", "&lt;"])).map(
        "".join
    ),
    limit=st.integers(min_value=6, max_value=60),
)
def test_cutting_gives_the_same_parts_as_before(text: str, limit: int) -> None:
    assert _cut(text, limit) == _cut_before(text, limit)


def _long_reply(characters: int) -> Reply:
    words_ = ("kind", "ouders", "&", "<signalen>", "vertrouwenscentrum", "x" * 30)
    line = " ".join(words_[i % len(words_)] for i in range(characters // 6))[:characters]
    return Reply((Block(Style.TEXT, (line,)), Block(Style.BULLETS, (line[:50_000],) * 4)))


def test_a_megabyte_renders_and_twice_as_much_gives_twice_as_many_messages() -> None:
    # Complexity, not time: the messages of 1 MB and of 2 MB, each split completely.
    one, two = (to_messages(_long_reply(size)) for size in (1_000_000, 2_000_000))
    assert all(len(m.text) <= MAX_TEXT for m in one + two)
    ratio = len(two) / len(one)
    assert 1.5 < ratio < 2.1, (len(one), len(two))
    source = _long_reply(1_000_000)
    visible = [w for m in one for w in words(assert_telegram_html(m.text))]
    assert visible == words(source.plain_text())


# -- keyboards ------------------------------------------------------------------------------------


def test_keyboard_on_the_last_message_only() -> None:
    blocks = tuple(Block(Style.TEXT, (" ".join(["woord"] * 500),)) for _ in range(3))
    buttons = ((Button("Een", "i:een"), Button("Twee", "i:twee")), (Button("Menu", "m"),))
    messages = to_messages(Reply(blocks, buttons))

    assert len(messages) == 3
    assert [m.keyboard is None for m in messages] == [True, True, False]
    assert callback_rows(messages[-1].keyboard) == [["i:een", "i:twee"], ["m"]]


def test_no_buttons_no_keyboard() -> None:
    assert keyboard(Reply((Block(Style.TEXT, ("x",)),))) is None
    [message] = to_messages(Reply((Block(Style.TEXT, ("x",)),)))
    assert message.keyboard is None


def test_url_buttons_open_links_and_labels_are_not_escaped() -> None:
    reply = Reply(
        (Block(Style.TEXT, ("x",)),),
        (
            (Button("Website <VK> & co", url="https://example.org/a?b=1&c=2"),),
            (Button("Menu", "m"),),
        ),
    )
    markup = keyboard(reply)
    assert markup is not None
    [[link], [menu]] = markup.inline_keyboard

    assert link.url == "https://example.org/a?b=1&c=2"
    assert link.callback_data is None
    # Button labels are plain text for Telegram: escaping them would show "&amp;".
    assert link.text == "Website <VK> & co"
    assert menu.callback_data == "m"
    assert menu.url is None
