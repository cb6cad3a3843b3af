"""Channel-free replies: a short first screen, details below it, and at most six buttons.

A `Reply` says *what* to show and which buttons to offer:

- `blocks`, the first screen: what the worker reads before she scrolls or expands (the title
  and the item's `kern`, "wat doe je nu", notices, the contacts she can use now). At most
  `MAX_FIRST_SCREEN_CHARS` as the user sees it; `playbook check` measures every item.
- `details`: the explanation, checklist and sources (as short linked labels, with the review
  date). Telegram shows them in an expandable block quotation, the console indented below.
- `footer`: one line after the details, above the buttons ("Dit helpt ook:").
- `buttons`: at most `MAX_BUTTONS`, ordered by what the worker most likely needs next.
- `replace`: the answer to a button that moves through the step plan, the menus or the
  decision aid replaces the pressed message (the adapter decides how; a new message when it
  cannot edit).

No sentence is written here: every word a user reads comes from the library (items or
`teksten.yaml`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from urllib.parse import urlsplit

from bot import actions
from bot.actions import Action, DecisionStep, Verb
from bot.content.library import Library
from bot.content.limits import MAX_BUTTONS, MAX_DECISION_WAY_ON
from bot.content.model import (
    ContactEntry,
    ContactKind,
    DecisionAid,
    DecisionFile,
    DecisionNode,
    DecisionOutcome,
    EmergencyReply,
    FaqFile,
    Item,
    ItemStatus,
    LanguagesFile,
    Partner,
    SharingFile,
    Step,
    TextKey,
    UrgentFile,
)
from bot.content.problems import Level, Problem
from bot.decision import DecisionTree
from bot.decision import Place as DecisionPlace
from bot.places import Place

BUTTONS_PER_ROW = 2


class Style(StrEnum):
    """How a block is presented."""

    TITLE = "title"
    TEXT = "text"
    BULLETS = "bullets"
    NOTE = "note"
    ALERT = "alert"
    LINKS = "links"
    """Plain lines that carry links (sources): never bold or italic around a link."""


@dataclass(frozen=True)
class Link:
    """A short label that opens a web address."""

    label: str
    url: str


Inline = str | Link
Line = str | tuple[Inline, ...]
"""One line of a block: plain text, or text and links in a row."""


def line_text(line: Line, *, urls: bool = True) -> str:
    """A line as plain text; a link as its label, followed by its address with `urls`."""
    if isinstance(line, str):
        return line
    return "".join(
        part if isinstance(part, str) else (f"{part.label} ({part.url})" if urls else part.label)
        for part in line
    )


@dataclass(frozen=True)
class Block:
    """A piece of a reply. `lines` holds one paragraph, or one line per bullet."""

    style: Style
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Button:
    """A button that sends an action payload, opens a URL, or shares: `share` is the inline
    query a worker sends to a chat she picks (`@bot <share>`, the item's title)."""

    label: str
    data: str | None = None
    url: str | None = None
    share: str | None = None


Rows = tuple[tuple[Button, ...], ...]


def _plain(blocks: Iterable[Block], *, urls: bool = True) -> str:
    parts: list[str] = []
    for block in blocks:
        lines = [line_text(line, urls=urls) for line in block.lines]
        if block.style is Style.BULLETS:
            parts.append("\n".join(f"• {line}" for line in lines))
        else:
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Reply:
    """What to send: a first screen, details, a footer, and rows of buttons.

    `replace`: the reply to a button press takes the place of the message whose button was
    pressed (the decision aid, the step plan and the menus move in one message); a channel
    that cannot edit that message sends it as a new one, and one without messages to edit
    (the console) just shows it.
    """

    blocks: tuple[Block, ...]
    buttons: Rows = ()
    details: tuple[Block, ...] = ()
    footer: tuple[Block, ...] = ()
    details_label: str = ""
    """What a channel without expandable text calls the details (the console's heading)."""
    replace: bool = False
    """Replace the pressed message instead of sending a new one (if the channel can)."""

    def __post_init__(self) -> None:
        count = sum(len(row) for row in self.buttons)
        if count > MAX_BUTTONS:
            raise ValueError(f"{count} buttons in one reply (max. {MAX_BUTTONS})")

    def first_screen(self) -> str:
        """The text a user sees before expanding the details: first screen and footer."""
        return _plain((*self.blocks, *self.footer), urls=False)

    def plain_text(self) -> str:
        """The whole reply as plain text (JSON output, tests): links with their addresses."""
        return "\n\n".join(
            part
            for part in (_plain(self.blocks), _plain(self.details), _plain(self.footer))
            if part
        )

    def all_buttons(self) -> list[Button]:
        """The buttons in reading order."""
        return [button for row in self.buttons for button in row]

    def then(self, other: Reply) -> Reply:
        """This reply followed by another; buttons of both without repeats, at most six (the
        other's last row, the menu, is kept)."""
        seen: set[Button] = set()
        rows: list[tuple[Button, ...]] = []
        for row in (*self.buttons, *other.buttons):
            kept = tuple(b for b in row if b not in seen)
            seen.update(kept)
            if kept:
                rows.append(kept)
        return Reply(
            (*self.blocks, *other.blocks),
            capped(tuple(rows)),
            (*self.details, *other.details),
            (*self.footer, *other.footer),
            self.details_label or other.details_label,
            self.replace,
        )


def rows(buttons: Sequence[Button], per_row: int = BUTTONS_PER_ROW) -> Rows:
    """Lay buttons out in rows."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def capped(layout: Rows, limit: int = MAX_BUTTONS) -> Rows:
    """At most `limit` buttons: the last row (menu, navigation) stays, earlier ones are cut
    from the end, where the least likely next needs are."""
    if sum(len(row) for row in layout) <= limit or not layout:
        return layout
    last = layout[-1][:limit]
    room = limit - len(last)
    kept: list[tuple[Button, ...]] = []
    for row in layout[:-1]:
        if room <= 0:
            break
        kept.append(row[:room])
        room -= len(kept[-1])
    return (*kept, last)


def _paragraphs(text: str) -> list[Block]:
    """Split item text on blank lines; lines starting with '- ' become a bullet list."""
    blocks: list[Block] = []
    for chunk in text.split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("- ", "* ", "• ")) for line in lines):
            blocks.append(Block(Style.BULLETS, tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block(Style.TEXT, (" ".join(lines),)))
    return blocks


def paragraphs(text: str) -> list[Block]:
    """Content text as blocks, the way every item reply shows it (see `_paragraphs`)."""
    return _paragraphs(text)


_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:"


MAX_PAGE_LABEL = 30
"""Characters of a page name added to a domain that several sources of one item share."""


def _address(source: str) -> str | None:
    found = _URL.search(source)
    if found is None:
        return None
    url = found.group().rstrip(_TRAILING)
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


def _page(url: str) -> str:
    """The last part of an address's path, readable: '…/contact/klachtendienst' → that."""
    parts = [part for part in urlsplit(url).path.split("/") if part]
    name = parts[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ") if parts else ""
    return name if len(name) <= MAX_PAGE_LABEL else name[: MAX_PAGE_LABEL - 1] + "…"


def source_line(source: str, dutch_label: str, *, with_page: bool = False) -> tuple[Inline, ...]:
    """A source as a short linked label: the text beside its address, else the domain.

    "https://www.kindreflex.be/aan-de-slag/" reads "kindreflex.be" ("kindreflex.be › aan de
    slag" `with_page`, when the item has more sources on that domain); "Infomap Kinderopvang:
    https://…" reads "Infomap Kinderopvang". A source on a Dutch (.nl) site says it is
    Netherlands practice (`dutch_label`) unless its own text already does.
    """
    url = _address(source)
    if url is None:
        return (source,)
    start = source.index(url)
    before = source[:start].strip().rstrip(":").strip()
    after = source[start + len(url) :].strip()
    host = _host(url)
    domain = f"{host} › {_page(url)}" if with_page and _page(url) else host
    label = " ".join(part for part in (before or domain, after) if part)
    if host.endswith(".nl") and "nederland" not in label.lower():
        label = f"{label} ({dutch_label})"
    return (Link(label, url),)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isalnum())


_VK_MENTION = re.compile(r"\bVK\b|Vertrouwenscentr")
"""A text that sends the worker to "the VK" or "het Vertrouwenscentrum": she needs hers."""


def mentions_vk(text: str) -> bool:
    """Whether a text points the worker to a Vertrouwenscentrum Kindermishandeling."""
    return _VK_MENTION.search(text) is not None


_CONTACT_LABEL: dict[ContactKind, TextKey] = {
    ContactKind.TELEFOON: "contact_telefoon",
    ContactKind.EMAIL: "contact_email",
    ContactKind.WEBSITE: "contact_website",
    ContactKind.ADRES: "contact_adres",
    ContactKind.UREN: "contact_uren",
    ContactKind.CHAT: "contact_chat",
}
_LINKED = (ContactKind.WEBSITE, ContactKind.CHAT)


def _date(value: date) -> str:
    return value.strftime("%d-%m-%Y")


class Replies:
    """Builds every reply of the bot from one library."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._items: dict[tuple[str, bool], Reply] = {}
        decision = library.files.get(DecisionFile)
        self._tree = DecisionTree(decision) if isinstance(decision, DecisionFile) else None

    @property
    def decision_tree(self) -> DecisionTree | None:
        """The decision aid of this content (None without `beslishulp.yaml`)."""
        return self._tree

    def text(self, key: TextKey, **values: str) -> str:
        """A UI sentence."""
        return self._library.text(key, **values)

    # -- buttons -----------------------------------------------------------------------------

    def menu_button(self, *, in_place: bool = False) -> Button:
        """Back to the main menu (in place when pressed in a menu or the step plan)."""
        return Button(self.text("knop_menu"), Action(Verb.MENU, in_place=in_place).encode())

    def place_button(self, *, in_place: bool = False) -> Button:
        """Ask for the place, to find the regional VK."""
        return Button(self.text("knop_contact"), Action(Verb.CONTACT, in_place=in_place).encode())

    def faq_button(self, *, in_place: bool = False) -> Button | None:
        """The "Veelgestelde vragen" menu, if content has themes."""
        if not self._library.file(FaqFile).themas:
            return None
        return Button(self.text("knop_faq"), Action(Verb.FAQ, in_place=in_place).encode())

    def _decision_button(self) -> Button | None:
        """The decision aid (a new message: it moves on in that one), if content has it."""
        if self._tree is None:
            return None
        entry = self._tree.content.beslishulp
        return Button(entry.button_label, actions.show(entry.id))

    def _item_button(self, item_id: str, *, in_place: bool = False) -> Button | None:
        item = self._library.items.get(item_id)
        if item is None:
            return None
        payload = actions.go(item_id) if in_place else actions.show(item_id)
        return Button(item.button_label, payload)

    def main_menu_buttons(self, region: Button | None = None) -> Rows:
        """The main menu, by likely need: the step plan, the decision aid, the questions, the
        regional VK, the emergency numbers, learning, privacy — the first six of those.
        Menus open in place, answers (and the decision aid) as new messages. `region` (the
        VK of a place the message named) comes first, instead of the question for the place."""
        buttons = [
            region,
            Button(self.text("knop_stappenplan"), actions.go(self._library.overview.id)),
            self._decision_button(),
            self.faq_button(in_place=True),
            None if region else self.place_button(in_place=True),
            Button(self.text("knop_noodnummers"), actions.show("noodnummers"))
            if "noodnummers" in self._library.items
            else None,
            Button(self.text("knop_leren"), Action(Verb.LEARNING, in_place=True).encode()),
            self._privacy_button(),
        ]
        return rows([b for b in buttons if b is not None][:MAX_BUTTONS])

    def _privacy_button(self) -> Button | None:
        if "privacy" not in self._library.items:
            return None
        return Button(self.text("knop_privacy"), actions.show("privacy"))

    # -- menus -------------------------------------------------------------------------------

    def message(self, *keys: TextKey, menu: bool = True) -> Reply:
        """A reply made of UI texts, with the main menu."""
        blocks = tuple(b for key in keys for b in _paragraphs(self.text(key)))
        return Reply(blocks, self.main_menu_buttons() if menu else ())

    def menu(self) -> Reply:
        """The main menu, with the reminder not to type names."""
        return Reply(
            (
                Block(Style.TITLE, (self.text("menu_titel"),)),
                Block(Style.NOTE, (self.text("privacy_kort"),)),
            ),
            self.main_menu_buttons(),
        )

    def welcome(self) -> Reply:
        """The /start reply."""
        return self.message("welkom")

    def help(self) -> Reply:
        """/help: how to use the bot; the commands below, in the details. Its buttons: the
        main menu and, since help is also about what (not) to type, privacy — the one entry
        the six buttons of the main menu leave out."""
        menu = [b for row in self.main_menu_buttons() for b in row]
        privacy = self._privacy_button()
        if privacy is not None and privacy not in menu:
            menu = [*menu[: MAX_BUTTONS - 1], privacy]
        return Reply(
            tuple(_paragraphs(self.text("hulp"))),
            rows(menu),
            details=tuple(_paragraphs(self.text("hulp_commandos"))),
            details_label=self.text("details"),
        )

    def learning_menu(self) -> Reply:
        """The learning offer as a list of buttons."""
        library = self._library
        buttons = [Button(i.button_label, actions.show(i.id)) for i in library.learning]
        return Reply(
            (Block(Style.TITLE, (self.text("leren_titel"),)),),
            capped((*rows(buttons), (self.menu_button(in_place=True),))),
        )

    def faq_menu(self) -> Reply:
        """ "Veelgestelde vragen": one button per theme of the content, and the menu."""
        themes = self._library.file(FaqFile).themas
        buttons = [
            (Button(t.button_label, Action(Verb.THEME, t.id, in_place=True).encode()),)
            for t in themes
        ]
        return Reply(
            (Block(Style.TITLE, (self.text("faq_titel"),)),),
            capped((*buttons, (self.menu_button(in_place=True),))),
        )

    def theme(self, theme_id: str) -> Reply | None:
        """The items of one theme (each opens as a new message, so the list stays)."""
        for theme in self._library.file(FaqFile).themas:
            if theme.id == theme_id:
                buttons = [self._item_button(i) for i in theme.items]
                back = Button(self.text("knop_themas"), Action(Verb.FAQ, in_place=True).encode())
                return Reply(
                    (Block(Style.TITLE, (theme.titel,)),),
                    capped((*((b,) for b in buttons if b is not None), (back,))),
                )
        return None

    def ask_place(self) -> Reply:
        """Ask for a postal code or town; or pick the province's VK with a button."""
        library = self._library
        vks = [
            b
            for b in (self._item_button(p.vk, in_place=True) for p in library.regions.provincies)
            if b is not None
        ][:MAX_BUTTONS]
        layout = rows(vks)
        if len(vks) < MAX_BUTTONS:
            layout = (*layout, (self.menu_button(in_place=True),))
        return Reply(
            (
                Block(Style.TEXT, (self.text("vraag_postcode"),)),
                Block(Style.NOTE, (self.text("privacy_kort"),)),
            ),
            layout,
        )

    # -- items -------------------------------------------------------------------------------

    def item(self, item: Item, *, with_menu: bool = True) -> Reply:
        """The reply for an item: first screen (title, kern, contacts), details, buttons."""
        # Items never change within one library, so each reply is built once.
        key = (item.id, with_menu)
        cached = self._items.get(key)
        if cached is None:
            cached = self._items[key] = self._build_item(item, with_menu=with_menu)
        return cached

    def _build_item(self, item: Item, *, with_menu: bool) -> Reply:
        if isinstance(item, DecisionAid):
            return self.decision_start()
        blocks: list[Block] = []
        step_index = self._library.step_index(item.id)
        if step_index is not None:
            total = str(len(self._library.steps))
            label = self.text("stap_van", nummer=str(step_index + 1), totaal=total)
            blocks.append(Block(Style.NOTE, (label,)))
        blocks.append(Block(Style.TITLE, (item.titel,)))
        if item.status is ItemStatus.TE_VERIFIEREN:
            blocks.append(Block(Style.ALERT, (self.text("te_verifieren_item"),)))
        blocks.extend(_paragraphs(item.kern))
        details = _paragraphs(item.tekst)
        if isinstance(item, Step) and item.checklist:
            details.append(Block(Style.BULLETS, tuple(item.checklist)))
        if isinstance(item, Partner):
            blocks.extend(self._contacts_now(item))
            details.extend(self._contacts_later(item))
        details.extend(self._sources(item))
        buttons, related = self._item_buttons(item, with_menu=with_menu)
        footer = (Block(Style.NOTE, (self.text("verwant"),)),) if related else ()
        return Reply(
            tuple(blocks),
            buttons,
            tuple(details),
            footer,
            details_label=self.text("details"),
        )

    def _contact_line(self, contact: ContactEntry) -> Line:
        kind = self.text(_CONTACT_LABEL[contact.soort])
        label = f"{kind} ({contact.label})" if contact.label else kind
        value = contact.waarde or ""
        if contact.soort in _LINKED:
            host = urlsplit(value).netloc.lower().removeprefix("www.") or value
            return (f"{label}: ", Link(host, value))
        return f"{label}: {value}"

    def _contacts_now(self, partner: Partner) -> list[Block]:
        """What the worker can use at once: the verified contacts, and for a VK without a
        verified phone number the phone route that works today (1712)."""
        lines = [self._contact_line(c) for c in partner.contact if c.verified]
        blocks = [Block(Style.BULLETS, tuple(lines))] if lines else []
        has_phone = any(c.verified and c.soort is ContactKind.TELEFOON for c in partner.contact)
        if partner.provincie and not has_phone:
            blocks.append(Block(Style.TEXT, (self.text("vk_telefoon_route"),)))
        return blocks

    def _contacts_later(self, partner: Partner) -> list[Block]:
        """Below the first screen: what is still to be checked, and where verified numbers
        come from (source and date)."""
        blocks: list[Block] = []
        if any(not c.verified for c in partner.contact):
            key: TextKey = (
                "vk_contact_te_verifieren" if partner.provincie else "contact_te_verifieren"
            )
            blocks.append(Block(Style.NOTE, (self.text(key),)))
        dutch = self.text("bron_nederland")
        for contact in partner.contact:
            if contact.verified and contact.bron and contact.nagekeken:
                kind = self.text(_CONTACT_LABEL[contact.soort])
                given = f"{kind} ({contact.label})" if contact.label else kind
                line: tuple[Inline, ...] = (
                    f"{self.text('contact_bron', gegeven=given)} ",
                    *source_line(contact.bron, dutch),
                    f" · {self.text('nagekeken', datum=_date(contact.nagekeken))}",
                )
                blocks.append(Block(Style.LINKS, (line,)))
        return blocks

    def _sources(self, item: Item) -> list[Block]:
        """The sources as short linked labels on one line, and the review date."""
        dutch = self.text("bron_nederland")
        sources = list(dict.fromkeys(item.bronnen))
        for contact in getattr(item, "contact", []):
            if contact.verified and contact.bron and not contact.nagekeken:
                sources.append(contact.bron)
        unique = list(dict.fromkeys(sources))
        hosts = [_host(url) for url in map(_address, unique) if url is not None]
        parts: list[Inline] = [f"{self.text('bronnen')}: "]
        for index, source in enumerate(unique):
            if index:
                parts.append(" · ")
            url = _address(source)
            shared = url is not None and hosts.count(_host(url)) > 1
            parts.extend(source_line(source, dutch, with_page=shared))
        reviewed = self.text("nagekeken", datum=_date(item.nagekeken))
        return [Block(Style.LINKS, (tuple(parts), reviewed))]

    def share_button(self, item: Item) -> Button:
        """ "Delen": pick a chat and post this item there through inline mode (`@bot <titel>`,
        which lists this item first)."""
        return Button(self._library.file(SharingFile).knoppen.delen, share=item.titel)

    def _item_buttons(self, item: Item, *, with_menu: bool) -> tuple[Rows, bool]:
        """At most six buttons by likely next need; whether related items are among them.

        The overview shows the steps. A step: its related items, the regional VK when the
        step points there, previous/next, all steps (left out when the six are full and a
        related item would not fit), "Delen" and the menu (in place). An
        answer: the regional VK first when its core points there, its related items, "Delen"
        and the menu.
        """
        library = self._library
        if item.id == library.overview.id:
            # Every step first; "Delen" only where a step plan of fewer than six leaves room.
            steps = [Button(s.button_label, actions.go(s.id)) for s in library.steps]
            if len(steps) < MAX_BUTTONS:
                return (*rows(steps), (self.share_button(item),)), False
            return rows(steps[:MAX_BUTTONS]), False
        step_index = library.step_index(item.id)
        nav: list[Button] = []
        tail: list[Button] = []
        if step_index is not None:
            if step_index > 0:
                previous = library.steps[step_index - 1].id
                nav.append(Button(self.text("knop_vorige"), actions.go(previous)))
            if step_index + 1 < len(library.steps):
                following = library.steps[step_index + 1].id
                nav.append(Button(self.text("knop_volgende"), actions.go(following)))
            tail.append(Button(self.text("knop_alle_stappen"), actions.go(library.overview.id)))
        # "Delen" (share in another chat) with the menu on the last row; it takes the place
        # of the least needed related item when the six are full.
        tail.append(self.share_button(item))
        if with_menu:
            tail.append(self.menu_button(in_place=step_index is not None))
        vk_button = None
        is_vk = isinstance(item, Partner) and item.provincie is not None
        if not is_vk and mentions_vk(f"{item.kern}\n{item.tekst}"):
            vk_button = self.place_button()
        neighbours = (
            {
                library.steps[i].id
                for i in (step_index - 1, step_index + 1)
                if 0 <= i < len(library.steps)
            }
            if step_index is not None
            else set()
        )
        related = [
            b
            for b in (self._item_button(i) for i in item.verwant if i not in neighbours)
            if b is not None
        ]
        room = MAX_BUTTONS - len(nav) - len(tail) - (1 if vk_button else 0)
        if room <= 0 and related and step_index is not None and with_menu:
            # A full step keeps its most needed related item: "Alle stappen" goes, the menu's
            # first button (the step plan) reaches the overview as well.
            tail.pop(0)
            room += 1
        related = related[: max(room, 0)]
        if vk_button is None:
            first: list[Button] = related
        elif mentions_vk(item.kern):
            first = [vk_button, *related]
        else:
            first = [*related, vk_button]
        layout = [*((b,) for b in first), tuple(nav), tuple(tail)]
        return tuple(row for row in layout if row), bool(related)

    # -- questions that found no single answer -----------------------------------------------

    def clarify(self, item_ids: Iterable[str]) -> Reply:
        """ "Bedoel je…?" with the options and "Geen van deze" (the choice replaces it)."""
        options = [self._item_button(i, in_place=True) for i in item_ids]
        shown = [(b,) for b in options if b is not None][: MAX_BUTTONS - 2]
        none = Button(
            self.text("geen_van_deze"), Action(Verb.NONE_OF_THESE, in_place=True).encode()
        )
        return Reply(
            (Block(Style.TITLE, (self.text("bedoel_je"),)),),
            (*shown, (none,), (self.menu_button(in_place=True),)),
        )

    def fallback(self) -> Reply:
        """Nothing found: the danger line first, then say so, and offer the human routes."""
        buttons = [
            self.place_button(),
            self.faq_button(),
            self._item_button(self._library.overview.id),
            self._item_button("kind-en-gezin-lijn"),
            self._item_button("1712"),
        ]
        human = [b for b in buttons if b is not None][: MAX_BUTTONS - 1]
        blocks = (self._doubt_line(), *_paragraphs(self.text("geen_antwoord")))
        return Reply(blocks, (*rows(human), (self.menu_button(),)))

    def _doubt_line(self) -> Block:
        return Block(Style.ALERT, (self._emergency.twijfel,))

    @property
    def doubt_line(self) -> str:
        """The one line about danger now that goes on top of unsure replies."""
        return self._emergency.twijfel

    @property
    def _emergency(self) -> EmergencyReply:
        return self._library.file(UrgentFile).noodantwoord

    def unsure(self, reply: Reply) -> Reply:
        """A reply to a message that may be urgent: the one danger line on top."""
        if reply.blocks[:1] == (self._doubt_line(),):
            return reply  # the fallback starts with it already
        return replace(reply, blocks=(self._doubt_line(), *reply.blocks))

    # -- danger now --------------------------------------------------------------------------

    def region_button(self, place: Place | None) -> Button:
        """The way to the regional VK: the VK when the place is known and confirmed, the
        candidates when it is not, else the question for the place."""
        if place is not None and place.status is None:
            vk = self._library.vk_for_province(place.provincie)
            if vk is not None:
                return Button(vk.button_label, actions.show(vk.id))
        if place is not None and place.postcode is not None:
            payload = Action(Verb.POSTCODE, place.postcode).encode()
            return Button(self.text("knop_contact"), payload)
        return self.place_button()

    def emergency(self, region: Button | None = None, answer: Item | None = None) -> Reply:
        """The reply to danger now: the numbers, at most three next steps, a few buttons.

        The buttons: the regional VK (or the question for the place), the emergency numbers,
        the item that answers the question itself when one clearly does ("papa staat dronken
        aan de deur": what to do at the door), and the menu.
        """
        nood = self._emergency
        blocks = [Block(Style.ALERT, (nood.nummers,))]
        if nood.daarna:
            blocks.append(Block(Style.BULLETS, tuple(nood.daarna)))
        buttons: list[Button | None] = [region or self.place_button()]
        if "noodnummers" in self._library.items:
            buttons.append(Button(self.text("knop_noodnummers"), actions.show("noodnummers")))
        if answer is not None and answer.id != "noodnummers":  # that button is there already
            buttons.append(Button(answer.button_label, actions.show(answer.id)))
        buttons.append(self.menu_button())
        return Reply(tuple(blocks), tuple((b,) for b in buttons if b is not None))

    def in_language(self, text: str, region: Button | None = None) -> Reply:
        """A reply in another language (an emergency in French, the language notice): its
        text, then the (Dutch) menu, led by the VK of a place the message named (`region`):
        its phone number needs no Dutch."""
        return Reply(tuple(_paragraphs(text)), self.main_menu_buttons(region))

    def emergency_in(self, language: str, region: Button | None = None) -> Reply:
        """The short emergency reply in a language of `talen.yaml`; for a language without
        one, the notice for other languages (112/101 on its first line too)."""
        for entry in self._library.file(LanguagesFile).talen:
            if entry.taal == language and entry.noodantwoord:
                return self.in_language(entry.noodantwoord, region)
        return self.other_language(region)

    def other_language(self, region: Button | None = None) -> Reply:
        """The notice for a message in another language or script (112/101 first)."""
        notice = self._library.file(LanguagesFile).andere_taal
        return self.in_language(notice, region) if notice else self.fallback()

    def small_talk(self, text: str) -> Reply:
        """A short warm reply to a greeting, thanks or "ok", with the menu."""
        return Reply(tuple(_paragraphs(text)), self.main_menu_buttons())

    # -- places ------------------------------------------------------------------------------

    def place(self, place: Place) -> Reply:
        """The regional VK for a place; while the mapping is unconfirmed, the candidates."""
        library = self._library
        name = place.display_name
        if place.status is not None:
            return self._candidates(place)
        province = library.province_name(place.provincie)
        if _fold(name) == _fold(province) or _fold(place.gemeente) == _fold(province):
            head = self.text("regio_gevonden_kort", plaats=name)
        else:
            head = self.text("regio_gevonden", plaats=name, provincie=province)
        vk = library.vk_for_province(place.provincie)
        header = Reply((Block(Style.TITLE, (head,)),))
        if vk is None:
            return header.then(Reply((), ((self.menu_button(),),)))
        body = self.item(vk)
        local = [self._item_button(i) for i in library.regions.lokale_partners]
        menu_row = body.buttons[-1:] if body.buttons else ()
        layout = (*body.buttons[:-1], *((b,) for b in local if b is not None), *menu_row)
        return replace(header.then(body), buttons=capped(tuple(layout)))

    def _candidates(self, place: Place) -> Reply:
        """An unconfirmed mapping (2070 Zwijndrecht): never "this is your VK"; the VKs it may
        be, the note, and the phone route that works today."""
        library = self._library
        ids = place.kandidaten or tuple(
            vk.id for vk in (library.vk_for_province(place.provincie),) if vk is not None
        )
        blocks = [Block(Style.TITLE, (self.text("regio_onzeker", plaats=place.display_name),))]
        if place.opmerking:
            note = self.text("regio_te_verifieren", opmerking=place.opmerking)
            blocks.append(Block(Style.ALERT, (note,)))
        blocks.append(Block(Style.TEXT, (self.text("vk_telefoon_route"),)))
        buttons = [b for b in (self._item_button(i) for i in ids) if b is not None]
        return Reply(tuple(blocks), capped((*((b,) for b in buttons), (self.menu_button(),))))

    def candidate_ids(self, place: Place) -> list[str]:
        """The VKs a place reply offers: its VK, or the candidates while unconfirmed."""
        if place.status is not None and place.kandidaten:
            return [i for i in place.kandidaten if i in self._library.items]
        vk = self._library.vk_for_province(place.provincie)
        return [vk.id] if vk else []

    # -- admins and pointers -----------------------------------------------------------------

    def unknown_command(self, suggestions: Sequence[str]) -> Reply:
        """A command the bot does not know: "bedoelde je…" with the closest ones, and the menu."""
        if not suggestions:
            return self.message("onbekend_commando_geen")
        buttons = [(Button(f"/{name}", actions.run(name)),) for name in suggestions]
        buttons = buttons[:MAX_BUTTONS]
        # The main menu below, as far as it fits the six buttons (its last entries go first).
        room = MAX_BUTTONS - len(buttons)
        menu = [b for row in self.main_menu_buttons() for b in row][:room]
        return Reply(
            (Block(Style.TITLE, (self.text("onbekend_commando"),)),),
            (*buttons, *rows(menu)),
        )

    def not_text(self) -> Reply:
        """A sticker, voice message, location…: 112/101 first, then that the bot reads text."""
        head = Reply((Block(Style.ALERT, (self.text("urgent_kop"),)),))
        return head.then(self.message("alleen_tekst"))

    def link_outdated(self) -> Reply:
        """A deep link to something that no longer exists: say so, then the welcome."""
        return self.message("link_verlopen", "welkom")

    def reload_note(self, *, sent_privately: bool) -> Reply:
        """What a group sees after an admin's /herlaad (the result itself goes privately)."""
        key: TextKey = "herladen_in_prive" if sent_privately else "herladen_prive_onmogelijk"
        return self.message(key, menu=False)

    def reload_result(self, problems: Sequence[Problem]) -> Reply:
        """What an admin sees after /herlaad: the count, or the errors (content unchanged)."""
        errors = [p for p in problems if p.level is Level.ERROR]
        if errors:
            head = self.text("herladen_fout", fouten=str(len(errors)))
            return Reply(
                (Block(Style.ALERT, (head,)),),
                ((self.menu_button(),),),
                details=(Block(Style.BULLETS, tuple(map(str, errors[:20]))),),
                details_label=self.text("details"),
            )
        warnings = str(len(problems))
        text = self.text(
            "herladen_ok", aantal=str(len(self._library.items)), waarschuwingen=warnings
        )
        return Reply((Block(Style.TEXT, (text,)),), ((self.menu_button(),),))

    def also_found(self, item_id: str) -> Reply:
        """A pointer to another matched item (e.g. after a place or urgent reply)."""
        item = self._library.items[item_id]
        return Reply(
            (Block(Style.NOTE, (self.text("ook_gevonden"),)),),
            ((Button(item.button_label, actions.show(item_id)),),),
        )

    def pointing_to(self, reply: Reply, item_id: str) -> Reply:
        """`reply` with a pointer to another matched item: its note after the first screen and
        its button first (the question asked for it), within the six buttons."""
        pointer = self.also_found(item_id)
        layout = capped((*pointer.buttons, *reply.buttons))
        return replace(reply, blocks=(*reply.blocks, *pointer.blocks), buttons=layout)

    # -- the decision aid -------------------------------------------------------------------

    def decision_start(self, *, replace: bool = False) -> Reply:
        """The first question of the decision aid, with its introduction.

        From a menu, a link or a question it is a new message; "Opnieuw" (`replace`) turns the
        pressed message back into it.
        """
        if self._tree is None:
            return self.message("knop_verlopen")
        return self._decision_place(self._tree, self._tree.walk(()), replace=replace)

    def decision(self, step: DecisionStep | None) -> Reply:
        """A press in the decision aid: the question or outcome it leads to, in place of the
        pressed message; a forged button, or one older than the content (the tree changed),
        gets a polite note and the first question."""
        tree = self._tree
        if tree is None:
            return self.message("knop_verlopen")
        place = tree.find(step.node, step.path) if step is not None else None
        if place is None:
            start = self._decision_place(tree, tree.walk(()), replace=True)
            note = Block(Style.ALERT, (tree.content.teksten.verlopen,))
            return replace(start, blocks=(note, *start.blocks))
        return self._decision_place(tree, place, replace=True)

    def _decision_place(
        self, tree: DecisionTree, place: DecisionPlace | None, *, replace: bool
    ) -> Reply:
        """A question (its answers, "Vorige" and "Opnieuw" further on, and the menu) or an
        outcome (see `_decision_outcome`): never more than `MAX_BUTTONS` buttons."""
        assert place is not None  # the start always exists (the content check sees to it)
        details: list[Block] = []
        if isinstance(place.node, DecisionOutcome):
            blocks, buttons, details = self._decision_outcome(tree, place, place.node)
        else:
            blocks, buttons = self._decision_question(tree, place, place.node)
            if not place.path:
                details = _paragraphs(tree.content.beslishulp.tekst)
        if place.path:
            previous = place.steps[-1][0]
            back = Button(self.text("knop_vorige"), actions.decision(previous.id, place.path[:-1]))
            again = Button(tree.content.teksten.knop_opnieuw, actions.decision())
            buttons.append((back, again))
        # A question of four answers further on has no room left for the menu: "Opnieuw"
        # leads to the first question, which has it.
        question = not isinstance(place.node, DecisionOutcome)
        if question and sum(map(len, buttons)) < MAX_BUTTONS:
            buttons.append((self.menu_button(),))
        return Reply(
            tuple(blocks),
            tuple(buttons),
            tuple(details),
            details_label=self.text("details") if details else "",
            replace=replace,
        )

    def _decision_question(
        self, tree: DecisionTree, place: DecisionPlace, node: DecisionNode
    ) -> tuple[list[Block], list[tuple[Button, ...]]]:
        """The first question comes with the decision aid's title and `kern` (its `tekst`
        goes in the details); a question further on shows the title as a small heading."""
        entry = tree.content.beslishulp
        if place.path:
            blocks = [Block(Style.NOTE, (entry.titel,))]
        else:
            blocks = [Block(Style.TITLE, (entry.titel,)), *_paragraphs(entry.kern)]
        blocks.append(Block(Style.TITLE, (node.vraag,)))
        if node.uitleg:
            blocks.append(Block(Style.TEXT, (node.uitleg,)))
        buttons: list[tuple[Button, ...]] = [
            (Button(answer.knop, actions.decision(answer.naar, (*place.path, index))),)
            for index, answer in enumerate(node.antwoorden)
        ]
        return blocks, buttons

    def decision_way_on(self, outcome: DecisionOutcome) -> list[Button]:
        """The buttons under an outcome's advice, before the step plan, "Vorige" and
        "Opnieuw": the emergency reply's (the regional VK, the emergency numbers) when it
        starts with it, the question for the place (`vk_knop`), then its items. At most
        `MAX_DECISION_WAY_ON` fit; `playbook check` refuses an outcome with more."""
        library = self._library
        buttons: list[Button] = []
        if outcome.noodantwoord:
            menu = self.menu_button()
            emergency = self.emergency()
            buttons.extend(b for b in emergency.all_buttons() if b != menu)
        if outcome.vk_knop:
            buttons.append(self.place_button())
        buttons.extend(
            Button(library.items[i].button_label, actions.show(i))
            for i in outcome.items
            if i in library.items
        )
        return list(dict.fromkeys(buttons))

    def _decision_outcome(
        self, tree: DecisionTree, place: DecisionPlace, outcome: DecisionOutcome
    ) -> tuple[list[Block], list[tuple[Button, ...]], list[Block]]:
        """The summary she can keep or forward: her answers, the advice, the closing sentence
        (one message, read whole, so not cut to a first screen); the sources below it.

        The buttons: the way on (`decision_way_on`), the step plan (a new message, so the
        summary stays), then "Vorige" and "Opnieuw" — no menu, for the six buttons: both lead
        to a question that has it.
        """
        texts = tree.content.teksten
        library = self._library
        blocks: list[Block] = []
        if outcome.noodantwoord:
            blocks.extend(self.emergency().blocks)
        blocks.append(Block(Style.NOTE, (texts.samenvatting,)))
        answered = tuple(f"{node.vraag} → {answer.knop}" for node, answer in place.steps)
        blocks.append(Block(Style.BULLETS, answered))
        blocks.append(Block(Style.TITLE, (outcome.titel,)))
        blocks.extend(_paragraphs(outcome.tekst))
        blocks.append(Block(Style.ALERT, (texts.slotzin,)))
        blocks.append(Block(Style.NOTE, (texts.bewaren,)))
        step_plan = Button(self.text("knop_stappenplan"), actions.show(library.overview.id))
        way_on = [b for b in self.decision_way_on(outcome) if b != step_plan]
        way_on = way_on[:MAX_DECISION_WAY_ON]  # the check refuses more; never a broken reply
        layout: list[tuple[Button, ...]] = [(button,) for button in (*way_on, step_plan)]
        return blocks, layout, self._sources(tree.content.beslishulp)
