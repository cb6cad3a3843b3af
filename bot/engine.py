"""The conversation core: questions, commands, button presses and deep links in; replies out.

Channel-free: the console chat, the command line and the Telegram adapter all call this.
Nothing here keeps per-user state; every call reads one content snapshot.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass

from bot import commands
from bot.actions import Verb, decode
from bot.content.model import Partner
from bot.matching import ANSWER_SCORE, OUT_OF_SCOPE, Hit, Outcome, decide
from bot.normalize import fold
from bot.replies import Reply
from bot.store import ContentStore, Snapshot

MAX_INPUT_CHARS = 4096
"""Longer input is cut: Telegram messages cannot be longer, and the question is at the start."""
MAX_WORDS_BESIDE_PLACE = 2
"""A place in a question nothing else matched answers with the VK only if few words remain."""
PARTNER_OVER_PLACE = 70.0
"""A partner matched this well ("OCJ Oudenaarde") is answered before the place's VK."""
POSTCODE_PAYLOAD = re.compile(r"^pc-([1-9][0-9]{3})$")
"""Deep-link payload for a postal code (`t.me/<bot>?start=pc-3500`)."""


@dataclass(frozen=True)
class Answer:
    """The engine's decision for one free-text question, and the reply to send."""

    outcome: Outcome
    urgent: bool
    hits: tuple[Hit, ...]
    reply: Reply
    elapsed_ms: float


def clean(text: str) -> str:
    """Drop control and format characters (keeping line breaks) and cut absurd lengths."""
    text = text[:MAX_INPUT_CHARS]
    if text.isascii() and text.replace("\n", " ").replace("\t", " ").isprintable():
        return text.strip()  # the common case, without a per-character loop
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


class Engine:
    """Answers everything a user can send, from the current content."""

    def __init__(self, store: ContentStore) -> None:
        self._store = store

    @property
    def store(self) -> ContentStore:
        """The content store (for reloads)."""
        return self._store

    def ask(self, text: str) -> Answer:
        """Answer a free-text question."""
        started = time.perf_counter()
        snap = self._store.current
        question = clean(text)
        outcome, urgent, hits, reply = self._answer(snap, question)
        elapsed = (time.perf_counter() - started) * 1000
        return Answer(outcome, urgent, tuple(hits), reply, round(elapsed, 3))

    def _answer(self, snap: Snapshot, question: str) -> tuple[Outcome, bool, list[Hit], Reply]:
        replies = snap.replies
        if not any(ch.isalnum() for ch in question):
            # Empty, only emoji or punctuation: nothing to search for.
            return Outcome.FALLBACK, False, [], replies.message("leeg_bericht")
        if not fold(question):
            # Letters, but none we can read (another script): say so honestly, offer routes.
            return Outcome.FALLBACK, False, [], replies.fallback()
        ranked = snap.index.search(question)
        match = decide(ranked)
        hits = list(match.hits)
        outcome = match.outcome
        urgent_id = snap.library.urgent.id
        # Urgent when a danger word says so, or when the question reads most like the urgent
        # item itself (its search terms are urgent phrasings too).
        best_item = next((hit for hit in ranked if hit.item_id != OUT_OF_SCOPE), None)
        urgent = snap.urgency.is_urgent(question) or (
            best_item is not None
            and best_item.item_id == urgent_id
            and best_item.score >= ANSWER_SCORE
            and not snap.urgency.is_hypothetical(question)
        )
        place = snap.places.find(question)
        if (
            place is not None
            and outcome is Outcome.FALLBACK
            and not urgent  # in danger, the regional VK is always worth showing
            and not self._about_place(snap, question, place.query_name, ranked)
        ):
            # "Wat voor weer wordt het in Gent?" names a place but is not about help there.
            place = None
        if (
            place is not None
            and outcome is Outcome.ANSWER
            and hits[0].score >= PARTNER_OVER_PLACE
            and self._is_other_partner(snap, hits[0].item_id)
        ):
            # "OCJ Oudenaarde": the partner asked for comes first, the regional VK as a pointer.
            vk = snap.library.vk_for_province(place.provincie)
            reply = replies.item(snap.library.items[hits[0].item_id])
            if vk is not None:
                reply = reply.then(replies.also_found(vk.id))
        elif place is not None:
            reply, place_hits = self._place_reply(
                snap, place.query_name, place.provincie, place.opmerking
            )
            if outcome is Outcome.ANSWER and hits[0].item_id not in {
                h.item_id for h in place_hits
            }:
                reply = reply.then(replies.also_found(hits[0].item_id))
            hits, outcome = place_hits, Outcome.ANSWER
        elif outcome is Outcome.ANSWER:
            reply = replies.item(snap.library.items[hits[0].item_id])
        elif outcome is Outcome.CLARIFY:
            reply = replies.clarify(h.item_id for h in hits)
        else:
            reply = replies.fallback()
        if urgent:
            banner = replies.urgent_banner()
            answered = outcome is Outcome.ANSWER and hits[0].item_id != urgent_id
            if answered:
                # The emergency part first, then the place or answer that was found.
                reply = banner.then(reply)
            else:
                # Clarify, nothing found, or the urgent item itself: the emergency answer alone.
                reply = banner.then(Reply((), ((replies.menu_button(),),)))
            others = [h for h in hits if h.item_id != urgent_id] if answered else []
            hits = [Hit(urgent_id, 100.0), *others]
            outcome = Outcome.ANSWER
        return outcome, urgent, hits, reply

    @staticmethod
    def _about_place(snap: Snapshot, question: str, place_name: str, ranked: list[Hit]) -> bool:
        """Whether a question that matched nothing else asks where to turn in a place.

        Yes when it names the VK ("welk vk", "vertrouwenscentrum"); no when it reads like an
        out-of-scope topic ("een job in Leuven"); otherwise only when few words remain
        beside the place name ("ik werk in Gent" yes, "wat voor weer wordt het in Gent" no).
        """
        named = set(fold(place_name).split())
        stems = [
            (word, snap.index.stem_of(word))
            for word in snap.index.normalizer.content_words(question)
            if word not in named
        ]
        if any(stem in snap.vk_stems for _, stem in stems):
            return True
        if ranked and ranked[0].item_id == OUT_OF_SCOPE:
            return False
        return len(stems) <= MAX_WORDS_BESIDE_PLACE

    @staticmethod
    def _is_other_partner(snap: Snapshot, item_id: str) -> bool:
        """A partner that is not one of the regional VKs (those come from the place itself)."""
        item = snap.library.items[item_id]
        return isinstance(item, Partner) and item.provincie is None

    def _place_reply(
        self, snap: Snapshot, name: str, province: str, note: str | None
    ) -> tuple[Reply, list[Hit]]:
        library = snap.library
        vk = library.vk_for_province(province)
        ids = [vk.id] if vk else []
        ids += [i for i in library.regions.lokale_partners if i in library.items]
        return snap.replies.place(name, province, note), [Hit(i, 100.0) for i in ids]

    def reload(self) -> Reply:
        """Reload the content (admins only: the adapter checks); broken content is refused."""
        problems = self._store.reload()
        return self._store.current.replies.reload_result(problems)

    def show(self, item_id: str) -> Reply | None:
        """The reply for one item (a menu button or deep link), or None if it does not exist."""
        snap = self._store.current
        item = snap.library.items.get(item_id)
        return snap.replies.item(item) if item else None

    def press(self, payload: str) -> Reply:
        """Answer a button press; forged or outdated data gets a polite note and the menu."""
        snap = self._store.current
        replies = snap.replies
        action = decode(payload)
        if action is None:
            return replies.message("knop_verlopen")
        match action.verb:
            case Verb.ITEM:
                item = snap.library.items.get(action.argument)
                return replies.item(item) if item else replies.message("knop_verlopen")
            case Verb.MENU:
                return replies.menu()
            case Verb.CONTACT:
                return replies.ask_place()
            case Verb.LEARNING:
                return replies.learning_menu()
            case Verb.NONE_OF_THESE:
                return replies.fallback()
            case Verb.POSTCODE:
                return self.place(action.argument)
            case Verb.COMMAND:
                if action.argument in commands.ANSWERED:
                    return self.command(action.argument)
        return replies.message("knop_verlopen")

    def place(self, text: str) -> Reply:
        """The regional VK for a postal code or town name (`/contact 3500`)."""
        snap = self._store.current
        if not fold(text):
            return snap.replies.ask_place()
        place = snap.places.find(clean(text))
        if place is None:
            return snap.replies.message("regio_niet_gevonden")
        reply, _ = self._place_reply(snap, place.query_name, place.provincie, place.opmerking)
        return reply

    def start(self, payload: str | None) -> Reply:
        """`/start` with an optional deep-link payload: an item id or `pc-<postcode>`.

        A payload that opens nothing (an item removed since the link was shared, a mangled
        link) says that the link no longer works, then welcomes as a plain `/start` does.
        """
        snap = self._store.current
        if not payload:
            return snap.replies.welcome()
        postcode = POSTCODE_PAYLOAD.match(payload)
        if postcode:
            return self.place(postcode.group(1))
        item = snap.library.items.get(payload)
        if item is not None:
            return snap.replies.item(item)
        return snap.replies.link_outdated()

    def not_text(self) -> Reply:
        """The reply to a message without text: a sticker, voice message, location, photo…"""
        return self._store.current.replies.not_text()

    def reload_note(self, *, sent_privately: bool) -> Reply:
        """The short note in a group after an admin's /herlaad there."""
        return self._store.current.replies.reload_note(sent_privately=sent_privately)

    def suggest_commands(self, typed: str) -> list[str]:
        """The advertised commands closest to a mistyped one (without slash), best first."""
        library = self._store.current.library
        return commands.closest(typed, library.commands, library.stopwords)

    def command(self, name: str, argument: str = "") -> Reply:
        """The reply to a bot command (without the slash); an unknown one gets "bedoelde je…"
        with the closest known commands, and the menu."""
        snap = self._store.current
        replies = snap.replies
        match name:
            case "start":
                return self.start(argument.strip() or None)
            case "contact":
                return self.place(argument) if argument.strip() else replies.ask_place()
            case "leren":
                return replies.learning_menu()
            case "help":
                return replies.message("hulp")
            case "menu":
                return replies.menu()
        item_for_command = {
            "stappenplan": "stappenplan",
            "noodnummers": "noodnummers",
            "privacy": "privacy",
        }
        item_id = item_for_command.get(name)
        if item_id and item_id in snap.library.items:
            return replies.item(snap.library.items[item_id])
        return replies.unknown_command(self.suggest_commands(name))
