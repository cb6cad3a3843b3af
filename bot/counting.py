"""The engine with usage figures: every reply is counted, answers ask "Was dit nuttig?".

`CountingEngine` answers exactly as `Engine` does and records what happened in `Usage`
(memory only; a thread writes it). It adds, and only when figures are on:

- under an answer to a question, "Was dit nuttig?" with 👍 and 👎 (`f:1:<id>`, `f:0:<id>`);
- under "Bedoel je…?", a "Geen van deze" that carries a random token (`n:<token>`) when
  unanswered questions are logged, so that pressing it logs the (redacted) question;
- under the privacy item (/privacy, its button, a question about privacy), what this
  server stores and for how long (from `beheer.yaml`).

Nothing here sees who the user is: `Usage` reads `usage.current_user`, which the adapter
sets per update.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from bot import actions
from bot.actions import Action, Verb, decision_step, decode
from bot.content.limits import MAX_BUTTONS, MAX_FIRST_SCREEN_CHARS
from bot.content.model import AdminFile, AdminTexts, DecisionOutcome
from bot.content.templates import parse_template
from bot.engine import Answer, Engine
from bot.languages import DUTCH
from bot.matching import DEFAULT_POLICY, Outcome, Policy
from bot.replies import Block, Button, Reply, Rows, Style, capped
from bot.store import ContentStore, Snapshot
from bot.unanswered import group, without_placeholders
from bot.usage import Usage, Via

TOKEN_BYTES = 9
"""Random bytes of a "Geen van deze" token (12 characters in the payload)."""

PRIVACY_ITEM = "privacy"
"""The item of /privacy (a required id): it gets the note on what is stored."""
_COMMAND_ITEMS = {"stappenplan": "stappenplan", "noodnummers": "noodnummers", "privacy": "privacy"}


def admin_texts(snapshot: Snapshot) -> AdminTexts:
    """The texts of `beheer.yaml` in a snapshot."""
    return snapshot.library.file(AdminFile).teksten


def fill(text: str, **values: str) -> str:
    """A text of `beheer.yaml` with its placeholders filled (checked when loaded)."""
    return parse_template(text).render(values)


def known_words(snapshot: Snapshot) -> frozenset[str]:
    """Words that may stay capitalised in a redacted question (see `bot.unanswered`)."""
    return snapshot.index.vocabulary | snapshot.index.normalizer.stopwords


FEEDBACK_BUTTONS = 2


def _room_for_feedback(buttons: Rows) -> Rows | None:
    """The answer's buttons with room for 👍 👎 within `MAX_BUTTONS`, or None if there is none
    to make. Only related items are given up, the least likely next need first (`capped`
    cuts them from the end, the menu row stays); navigation never is: an answer of more than
    four buttons whose last row is not the menu (the step plan's six steps) gets no vote."""
    if sum(map(len, buttons)) <= MAX_BUTTONS - FEEDBACK_BUTTONS:
        return buttons
    last = buttons[-1]
    if not any((action := decode(b.data or "")) and action.verb is Verb.MENU for b in last):
        return None
    return capped(buttons, MAX_BUTTONS - FEEDBACK_BUTTONS)


def with_feedback(reply: Reply, item_id: str, texts: AdminTexts) -> Reply:
    """An answer with "Was dit nuttig?" and 👍 👎 as the first row of buttons.

    The six-button limit holds (see `_room_for_feedback`; without room the answer stays as
    it is). The question goes last in the footer, right above the buttons, and only if the
    first screen still fits a phone (`MAX_FIRST_SCREEN_CHARS`, the danger line of an unsure
    message included); the two buttons speak for themselves without it.
    """
    kept = _room_for_feedback(reply.buttons)
    if kept is None:
        return reply
    row = (
        Button(texts.knop_nuttig_ja, actions.feedback(item_id, useful=True)),
        Button(texts.knop_nuttig_nee, actions.feedback(item_id, useful=False)),
    )
    buttons = (row, *kept)
    asked = replace(
        reply, buttons=buttons, footer=(*reply.footer, Block(Style.NOTE, (texts.nuttig_vraag,)))
    )
    if len(asked.first_screen()) <= MAX_FIRST_SCREEN_CHARS:
        return asked
    return replace(reply, buttons=buttons)


def _with_token(reply: Reply, token: str) -> Reply:
    """ "Geen van deze" carrying the token of the held question (in place, as it was)."""

    def tokened(button: Button) -> Button:
        action = decode(button.data or "")
        if action is None or action.verb is not Verb.NONE_OF_THESE or action.argument:
            return button
        return replace(button, data=actions.none_of_these(token, in_place=action.in_place))

    return replace(reply, buttons=tuple(tuple(map(tokened, row)) for row in reply.buttons))


class CountingEngine(Engine):
    """`Engine` that records usage figures and offers feedback buttons."""

    def __init__(self, store: ContentStore, usage: Usage, policy: Policy = DEFAULT_POLICY) -> None:
        super().__init__(store, policy)
        self.usage = usage

    def ask(self, text: str) -> Answer:
        """Answer, count the outcome (and the item shown), add feedback or a token."""
        snap = self.store.current
        answer = super().ask(text)
        usage = self.usage
        usage.question(answer.outcome.value, urgent=answer.urgent)
        reply = answer.reply
        top = answer.hits[0].item_id if answer.hits else None
        if answer.outcome is Outcome.ANSWER and not answer.urgent and top in snap.library.items:
            assert top is not None
            usage.shown(top, Via.QUESTION)
            reply = with_feedback(self._noted(top, reply), top, admin_texts(snap))
        elif answer.outcome is Outcome.CLARIFY and usage.log_unanswered:
            token = secrets.token_urlsafe(TOKEN_BYTES)
            usage.hold(token, text, known_words(snap))
            reply = _with_token(reply, token)
        elif (
            answer.outcome is Outcome.FALLBACK
            and answer.reading is not None
            and answer.reading.language == DUTCH
            and usage.log_unanswered
        ):
            usage.unanswered(text, known_words(snap))
        return replace(answer, reply=reply) if reply is not answer.reply else answer

    def feedback(self, payload: str) -> Reply | None:
        """A 👍/👎 press: counted, and a short thank-you; None if `payload` is not one."""
        action = decode(payload)
        vote = actions.feedback_of(action) if action is not None else None
        if vote is None:
            return None
        snap = self.store.current
        item_id, useful = vote
        if item_id in snap.library.items:
            self.usage.feedback(item_id, useful=useful)
        return Reply((Block(Style.TEXT, (admin_texts(snap).nuttig_bedankt,)),))

    def press(self, payload: str) -> Reply:
        """A button press, counted (the item opened, "Geen van deze", a vote)."""
        thanks = self.feedback(payload)
        if thanks is not None:
            return thanks
        action = decode(payload)
        reply = super().press(payload)
        if action is None:
            return reply
        if action.verb is Verb.ITEM and action.argument in self.store.current.library.items:
            self.usage.shown(action.argument, Via.BUTTON)
            reply = self._noted(action.argument, reply)
        elif action.verb is Verb.NONE_OF_THESE:
            self.usage.none_of_these(action.argument or None)
        elif action.verb is Verb.DECISION and (outcome := self._outcome(action)) is not None:
            self.usage.decision(outcome)
        else:
            self.usage.visit()
        return reply

    def start(self, payload: str | None) -> Reply:
        """`/start` and deep links, counted (a link opened, the item it showed)."""
        reply = super().start(payload)
        items = self.store.current.library.items
        if payload and payload.startswith("pc-"):
            self.usage.link("pc")
        elif payload and payload in items:
            self.usage.link(payload)
            self.usage.shown(payload, Via.LINK)
            reply = self._noted(payload, reply)
        else:
            self.usage.visit()
        return reply

    def command(self, name: str, argument: str = "") -> Reply:
        """A command, counted; /privacy also says what this bot stores."""
        reply = super().command(name, argument)
        if name == "start":
            return reply  # counted by `start`
        item_id = _COMMAND_ITEMS.get(name)
        if item_id and item_id in self.store.current.library.items:
            self.usage.shown(item_id, Via.COMMAND)
            reply = self._noted(item_id, reply)
        else:
            self.usage.visit()
        return reply

    def _outcome(self, action: Action) -> str | None:
        """The id of the decision-aid outcome a press leads to (None for a question, the
        start, or a button the current tree no longer has)."""
        tree = self.store.current.replies.decision_tree
        step = decision_step(action)
        if tree is None or step is None:
            return None
        place = tree.find(step.node, step.path)
        if place is None or not isinstance(place.node, DecisionOutcome):
            return None
        return place.node.id

    def _noted(self, item_id: str, reply: Reply) -> Reply:
        """The privacy item, however it is opened, says what this server stores."""
        return self._with_storage_note(reply) if item_id == PRIVACY_ITEM else reply

    def storage_note(self) -> tuple[Block, ...]:
        """What is stored and for how long, as it applies on this server."""
        texts = admin_texts(self.store.current)
        config = self.usage.config
        questions = (
            fill(texts.privacy_onbeantwoord_aan, dagen=str(config.retention_days))
            if config.log_unanswered
            else texts.privacy_onbeantwoord_uit
        )
        paragraphs = [p for p in texts.privacy_opslag.split("\n\n") if p.strip()]
        return tuple(Block(Style.TEXT, (" ".join(p.split()),)) for p in (*paragraphs, questions))

    def _with_storage_note(self, reply: Reply) -> Reply:
        """The note in the details, before the item's sources (or at their end): the first
        screen stays the item's own."""
        details = list(reply.details)
        at = next(
            (i for i, b in enumerate(details) if b.style is Style.LINKS),
            len(details),
        )
        details[at:at] = self.storage_note()
        return replace(reply, details=tuple(details))


MAX_GROUPS_SHOWN = 25


def unanswered_reply(
    snapshot: Snapshot, rows: list[tuple[str, str, str]], *, days: int, enabled: bool
) -> Reply:
    """`/onbeantwoord`: the redacted questions of the last `days`, grouped by similarity,
    each group with the item it resembles most (where to add the phrasing). Blocking (CPU):
    run it off the event loop."""
    texts = admin_texts(snapshot)
    if not enabled:
        return Reply((Block(Style.TEXT, (texts.onbeantwoord_uit,)),))
    if not rows:
        return Reply((Block(Style.TEXT, (fill(texts.onbeantwoord_leeg, dagen=str(days)),)),))
    normalizer = snapshot.index.normalizer
    groups = group([text for _, _, text in rows], lambda t: normalizer.question(t).content_words)
    head = fill(
        texts.onbeantwoord_titel, dagen=str(days), aantal=str(len(rows)), groepen=str(len(groups))
    )
    lines = []
    library = snapshot.library
    for found in groups[:MAX_GROUPS_SHOWN]:
        example = found.questions[0]
        line = fill(texts.onbeantwoord_groep, aantal=str(found.size), voorbeeld=example)
        question = normalizer.question(without_placeholders(example))
        nearest = next(
            (hit for hit in snapshot.index.search(question) if hit.item_id in library.items),
            None,
        )
        if nearest is not None:
            item = library.items[nearest.item_id]
            line += " " + fill(texts.onbeantwoord_dichtst, titel=item.titel, id=item.id)
        lines.append(line)
    return Reply(
        (
            Block(Style.TITLE, (head,)),
            Block(Style.BULLETS, tuple(lines)),
            Block(Style.NOTE, (texts.onbeantwoord_uitleg,)),
        )
    )
