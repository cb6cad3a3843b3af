"""Channel-free replies: text blocks and buttons, built from content only.

A `Reply` says *what* to show (a title, paragraphs, a bullet list, a note, sources) and which
buttons to offer; the console prints it as plain text and the Telegram adapter turns it into
escaped HTML with an inline keyboard. No sentence is written here: every word a user reads
comes from the library (items or `teksten.yaml`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot import actions
from bot.actions import Action, DecisionStep, Verb
from bot.content.library import Library
from bot.content.model import (
    ContactKind,
    DecisionAid,
    DecisionFile,
    DecisionNode,
    DecisionOutcome,
    EmergencyReply,
    Item,
    LanguagesFile,
    Partner,
    Status,
    Step,
    TextKey,
    UrgentFile,
)
from bot.content.problems import Level, Problem
from bot.decision import DecisionTree, Place

BUTTONS_PER_ROW = 2


class Style(StrEnum):
    """How a block is presented."""

    TITLE = "title"
    TEXT = "text"
    BULLETS = "bullets"
    NOTE = "note"
    ALERT = "alert"


@dataclass(frozen=True)
class Block:
    """A piece of a reply. `lines` holds one paragraph, or one line per bullet."""

    style: Style
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Button:
    """A button that sends an action payload, or opens a URL."""

    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """What to send: blocks of text and rows of buttons.

    `replace`: the reply to a button press takes the place of the message whose button was
    pressed (the decision aid moves in one message); a channel that cannot edit that message
    sends it as a new one, and one without messages to edit (the console) just shows it.
    """

    blocks: tuple[Block, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    replace: bool = False

    def plain_text(self) -> str:
        """The reply as plain text (console, JSON output, tests)."""
        parts: list[str] = []
        for block in self.blocks:
            if block.style is Style.BULLETS:
                parts.append("\n".join(f"• {line}" for line in block.lines))
            else:
                parts.append("\n".join(block.lines))
        return "\n\n".join(parts)

    def all_buttons(self) -> list[Button]:
        """The buttons in reading order."""
        return [button for row in self.buttons for button in row]

    def then(self, other: Reply) -> Reply:
        """This reply followed by another; buttons of both, without repeats."""
        seen: set[tuple[str, str | None, str | None]] = set()
        rows: list[tuple[Button, ...]] = []
        for row in (*self.buttons, *other.buttons):
            kept = tuple(b for b in row if (b.label, b.data, b.url) not in seen)
            seen.update((b.label, b.data, b.url) for b in kept)
            if kept:
                rows.append(kept)
        return Reply((*self.blocks, *other.blocks), tuple(rows), self.replace)


def rows(
    buttons: Sequence[Button], per_row: int = BUTTONS_PER_ROW
) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


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


_CONTACT_LABEL: dict[ContactKind, TextKey] = {
    ContactKind.TELEFOON: "contact_telefoon",
    ContactKind.EMAIL: "contact_email",
    ContactKind.WEBSITE: "contact_website",
    ContactKind.ADRES: "contact_adres",
    ContactKind.UREN: "contact_uren",
    ContactKind.CHAT: "contact_chat",
}


class Replies:
    """Builds every reply of the bot from one library."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._items: dict[tuple[str, bool], Reply] = {}
        decision = library.files.get(DecisionFile)
        self._tree = DecisionTree(decision) if isinstance(decision, DecisionFile) else None

    def text(self, key: TextKey, **values: str) -> str:
        """A UI sentence."""
        return self._library.text(key, **values)

    def menu_button(self) -> Button:
        """Back to the main menu."""
        return Button(self.text("knop_menu"), Action(Verb.MENU).encode())

    def main_menu_buttons(self) -> tuple[tuple[Button, ...], ...]:
        """The main menu: step plan, decision aid, contacts, learning, emergency numbers,
        privacy."""
        buttons = [Button(self.text("knop_stappenplan"), actions.show("stappenplan"))]
        if self._tree is not None:
            entry = self._tree.content.beslishulp
            buttons.append(Button(entry.button_label, actions.show(entry.id)))
        buttons += [
            Button(self.text("knop_contact"), Action(Verb.CONTACT).encode()),
            Button(self.text("knop_leren"), Action(Verb.LEARNING).encode()),
            Button(self.text("knop_noodnummers"), actions.show("noodnummers")),
            Button(self.text("knop_privacy"), actions.show("privacy")),
        ]
        return rows(buttons)

    def message(self, *keys: TextKey, menu: bool = True) -> Reply:
        """A reply made of UI texts, with the main menu."""
        blocks = tuple(b for key in keys for b in _paragraphs(self.text(key)))
        return Reply(blocks, self.main_menu_buttons() if menu else ())

    def menu(self) -> Reply:
        """The main menu."""
        return Reply((Block(Style.TITLE, (self.text("menu_titel"),)),), self.main_menu_buttons())

    def welcome(self) -> Reply:
        """The /start reply."""
        return self.message("welkom")

    def learning_menu(self) -> Reply:
        """The learning offer as a list of buttons."""
        buttons = [Button(i.button_label, actions.show(i.id)) for i in self._library.learning]
        return Reply(
            (Block(Style.TITLE, (self.text("leren_titel"),)),),
            (*rows(buttons), (self.menu_button(),)),
        )

    def ask_place(self) -> Reply:
        """Ask for a postal code or town."""
        return Reply(
            (Block(Style.TEXT, (self.text("vraag_postcode"),)),), ((self.menu_button(),),)
        )

    def item(self, item: Item, *, with_menu: bool = True) -> Reply:
        """The full reply for an item: title, text, contacts, sources, related buttons."""
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
        if item.status is Status.TE_VERIFIEREN:
            blocks.append(Block(Style.ALERT, (self.text("te_verifieren_item"),)))
        blocks.extend(_paragraphs(item.tekst))
        if isinstance(item, Step) and item.checklist:
            blocks.append(Block(Style.BULLETS, tuple(item.checklist)))
        if isinstance(item, Partner):
            blocks.extend(self._contacts(item))
        blocks.extend(self._sources(item))
        buttons = self._item_buttons(item, with_menu=with_menu)
        return Reply(tuple(blocks), buttons)

    def _contacts(self, partner: Partner) -> list[Block]:
        lines = []
        for contact in partner.contact:
            if not contact.verified or contact.waarde is None:
                continue
            kind = self.text(_CONTACT_LABEL[contact.soort])
            label = f"{kind} ({contact.label})" if contact.label else kind
            lines.append(f"{label}: {contact.waarde}")
        blocks = [Block(Style.BULLETS, tuple(lines))] if lines else []
        if any(not c.verified for c in partner.contact):
            key: TextKey = (
                "vk_contact_te_verifieren" if partner.provincie else "contact_te_verifieren"
            )
            blocks.append(Block(Style.NOTE, (self.text(key),)))
        return blocks

    def _sources(self, item: Item) -> list[Block]:
        return [
            Block(Style.NOTE, (self.text("bronnen"),)),
            Block(Style.BULLETS, tuple(item.bronnen)),
            Block(
                Style.NOTE, (self.text("nagekeken", datum=item.nagekeken.strftime("%d-%m-%Y")),)
            ),
        ]

    def _item_buttons(self, item: Item, *, with_menu: bool) -> tuple[tuple[Button, ...], ...]:
        library = self._library
        related = [
            Button(library.items[i].button_label, actions.show(i))
            for i in item.verwant
            if i in library.items
        ]
        if item.id == library.overview.id:
            related = [Button(s.button_label, actions.show(s.id)) for s in library.steps] + [
                b for b in related if b.data not in {actions.show(s.id) for s in library.steps}
            ]
        layout = list(rows(related))
        step_index = library.step_index(item.id)
        if step_index is not None:
            nav = []
            if step_index > 0:
                previous = library.steps[step_index - 1].id
                nav.append(Button(self.text("knop_vorige"), actions.show(previous)))
            if step_index + 1 < len(library.steps):
                following = library.steps[step_index + 1].id
                nav.append(Button(self.text("knop_volgende"), actions.show(following)))
            layout.append(tuple(nav))
            layout.append(
                (Button(self.text("knop_alle_stappen"), actions.show(library.overview.id)),)
            )
        if with_menu:
            layout.append((self.menu_button(),))
        return tuple(row for row in layout if row)

    def clarify(self, item_ids: Iterable[str]) -> Reply:
        """ "Bedoel je…?" with the options and "Geen van deze"."""
        buttons = [
            (Button(self._library.items[i].button_label, actions.show(i)),)
            for i in item_ids
            if i in self._library.items
        ]
        none = Button(self.text("geen_van_deze"), Action(Verb.NONE_OF_THESE).encode())
        return Reply(
            (Block(Style.TITLE, (self.text("bedoel_je"),)),),
            (*buttons, (none,), (self.menu_button(),)),
        )

    def fallback(self) -> Reply:
        """Nothing found: the danger line first, then say so, and offer the human routes."""
        library = self._library
        human = rows(
            [
                Button(self.text("knop_contact"), Action(Verb.CONTACT).encode()),
                *(
                    Button(library.items[i].button_label, actions.show(i))
                    for i in ("kind-en-gezin-lijn", "1712")
                    if i in library.items
                ),
                Button(self.text("knop_stappenplan"), actions.show("stappenplan")),
            ]
        )
        blocks = (self._doubt_line(), *_paragraphs(self.text("geen_antwoord")))
        return Reply(blocks, (*human, (self.menu_button(),)))

    def _doubt_line(self) -> Block:
        return Block(Style.ALERT, (self._emergency.twijfel,))

    @property
    def _emergency(self) -> EmergencyReply:
        return self._library.file(UrgentFile).noodantwoord

    def unsure(self, reply: Reply) -> Reply:
        """A reply to a message that may be urgent: the one danger line on top."""
        if reply.blocks[:1] == (self._doubt_line(),):
            return reply  # the fallback starts with it already
        return Reply((self._doubt_line(), *reply.blocks), reply.buttons)

    def emergency(self, vk: Partner | None = None) -> Reply:
        """The reply to danger now: the numbers, at most three next steps, three buttons.

        The regional VK's button opens it when the place is known, else asks for the place.
        """
        nood = self._emergency
        blocks = [Block(Style.ALERT, (nood.nummers,))]
        if nood.daarna:
            blocks.append(Block(Style.BULLETS, tuple(nood.daarna)))
        region = (
            Button(vk.button_label, actions.show(vk.id))
            if vk is not None
            else Button(self.text("knop_contact"), Action(Verb.CONTACT).encode())
        )
        buttons = [region]
        if "noodnummers" in self._library.items:
            buttons.append(Button(self.text("knop_noodnummers"), actions.show("noodnummers")))
        buttons.append(self.menu_button())
        return Reply(tuple(blocks), tuple((b,) for b in buttons))

    def in_language(self, text: str) -> Reply:
        """A reply in another language (an emergency in French, the language notice): its
        text, then the (Dutch) menu."""
        return Reply(tuple(_paragraphs(text)), self.main_menu_buttons())

    def emergency_in(self, language: str) -> Reply:
        """The short emergency reply in a language of `talen.yaml`; for a language without
        one, the notice for other languages (112/101 on its first line too)."""
        for entry in self._library.file(LanguagesFile).talen:
            if entry.taal == language and entry.noodantwoord:
                return self.in_language(entry.noodantwoord)
        return self.other_language()

    def other_language(self) -> Reply:
        """The notice for a message in another language or script (112/101 first)."""
        notice = self._library.file(LanguagesFile).andere_taal
        return self.in_language(notice) if notice else self.fallback()

    def small_talk(self, text: str) -> Reply:
        """A short warm reply to a greeting, thanks or "ok", with the menu."""
        return Reply(tuple(_paragraphs(text)), self.main_menu_buttons())

    def place(self, place_name: str, province_id: str, note: str | None) -> Reply:
        """The regional VK for a place, and the local partners."""
        library = self._library
        province = library.province_name(province_id)
        blocks = [
            Block(
                Style.TITLE, (self.text("regio_gevonden", plaats=place_name, provincie=province),)
            )
        ]
        if note:
            blocks.append(Block(Style.ALERT, (self.text("regio_te_verifieren", opmerking=note),)))
        head = Reply(tuple(blocks))
        vk = library.vk_for_province(province_id)
        body = self.item(vk, with_menu=False) if vk else Reply(())
        local = [
            Button(library.items[i].button_label, actions.show(i))
            for i in library.regions.lokale_partners
            if i in library.items
        ]
        tail = Reply(
            (Block(Style.NOTE, (self.text("lokale_partners"),)),),
            (*rows(local), (self.menu_button(),)),
        )
        return head.then(body).then(tail)

    def unknown_command(self, suggestions: Sequence[str]) -> Reply:
        """A command the bot does not know: "bedoelde je…" with the closest ones, and the menu."""
        if not suggestions:
            return self.message("onbekend_commando_geen")
        buttons = tuple((Button(f"/{name}", actions.run(name)),) for name in suggestions)
        return Reply(
            (Block(Style.TITLE, (self.text("onbekend_commando"),)),),
            (*buttons, *self.main_menu_buttons()),
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
                (Block(Style.ALERT, (head,)), Block(Style.BULLETS, tuple(map(str, errors[:20])))),
                ((self.menu_button(),),),
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
            return Reply((note, *start.blocks), start.buttons, replace=True)
        return self._decision_place(tree, place, replace=True)

    def _decision_place(self, tree: DecisionTree, place: Place | None, *, replace: bool) -> Reply:
        assert place is not None  # the start always exists (the content check sees to it)
        if isinstance(place.node, DecisionOutcome):
            blocks, buttons = self._decision_outcome(tree, place, place.node)
        else:
            blocks, buttons = self._decision_question(tree, place, place.node)
        if place.path:
            previous = place.steps[-1][0]
            back = Button(self.text("knop_vorige"), actions.decision(previous.id, place.path[:-1]))
            again = Button(tree.content.teksten.knop_opnieuw, actions.decision())
            buttons.append((back, again))
        buttons.append((self.menu_button(),))
        return Reply(tuple(blocks), tuple(buttons), replace=replace)

    def _decision_question(
        self, tree: DecisionTree, place: Place, node: DecisionNode
    ) -> tuple[list[Block], list[tuple[Button, ...]]]:
        entry = tree.content.beslishulp
        if place.path:
            blocks = [Block(Style.NOTE, (entry.titel,))]
        else:
            blocks = [Block(Style.TITLE, (entry.titel,)), *_paragraphs(entry.tekst)]
        blocks.append(Block(Style.TITLE, (node.vraag,)))
        if node.uitleg:
            blocks.append(Block(Style.TEXT, (node.uitleg,)))
        buttons: list[tuple[Button, ...]] = [
            (Button(answer.knop, actions.decision(answer.naar, (*place.path, index))),)
            for index, answer in enumerate(node.antwoorden)
        ]
        return blocks, buttons

    def _decision_outcome(
        self, tree: DecisionTree, place: Place, outcome: DecisionOutcome
    ) -> tuple[list[Block], list[tuple[Button, ...]]]:
        """The summary she can keep or forward: her answers, the advice, the closing sentence."""
        texts = tree.content.teksten
        library = self._library
        blocks: list[Block] = []
        buttons: list[Button] = []
        if outcome.noodantwoord:
            emergency = self.emergency()
            blocks.extend(emergency.blocks)
            buttons.extend(b for b in emergency.all_buttons() if b != self.menu_button())
        blocks.append(Block(Style.NOTE, (texts.samenvatting,)))
        answered = tuple(f"{node.vraag} → {answer.knop}" for node, answer in place.steps)
        blocks.append(Block(Style.BULLETS, answered))
        blocks.append(Block(Style.TITLE, (outcome.titel,)))
        blocks.extend(_paragraphs(outcome.tekst))
        blocks.append(Block(Style.ALERT, (texts.slotzin,)))
        blocks.append(Block(Style.NOTE, (texts.bewaren,)))
        blocks.extend(self._sources(tree.content.beslishulp))
        if outcome.vk_knop:
            buttons.append(Button(self.text("knop_contact"), Action(Verb.CONTACT).encode()))
        buttons.extend(
            Button(library.items[i].button_label, actions.show(i))
            for i in outcome.items
            if i in library.items
        )
        buttons.append(Button(self.text("knop_stappenplan"), actions.show(library.overview.id)))
        layout: list[tuple[Button, ...]] = [(button,) for button in dict.fromkeys(buttons)]
        return blocks, layout
