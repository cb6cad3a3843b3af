"""The conversation core: questions, commands, button presses and deep links in; replies out.

Channel-free: the console chat, the command line and the Telegram adapter all call this.
Nothing here keeps per-user state; every call reads one content snapshot.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot import commands
from bot.actions import POSTCODE_START, Action, Verb, decision_step, decode
from bot.changes import changes_reply, compare
from bot.content.model import Partner
from bot.languages import DUTCH, OTHER
from bot.matching import DEFAULT_POLICY, OUT_OF_SCOPE, Hit, Outcome, Policy, decide
from bot.normalize import NormalizedQuestion, fold
from bot.places import Place
from bot.replies import Reply
from bot.store import ContentStore, Snapshot
from bot.urgency import Assessment, Level

MAX_INPUT_CHARS = 4096
"""Longer input is cut: Telegram messages cannot be longer, and the question is at the start."""
MAX_WORDS_BESIDE_PLACE = 2
"""A place in a question nothing else matched answers with the VK only if few words remain."""
PARTNER_OVER_PLACE = 70.0
"""A partner matched this well ("OCJ Oudenaarde") is answered before the place's VK."""
THANKS_MAX_MATCH = 70.0
"""A message that opens with thanks is small talk only if no item matches it this well:
"merci, er zijn blauwe plekken op zijn rug" (95) is a worry; "Bedankt, dit helpt ons team
verder." (68) and "Bedankt voor de snelle hulp!" (67) are thanks."""
_LETTER = re.compile(r"[^\W\d_]")
_CAPITAL = re.compile(r"[A-ZÀ-ÞА-Я]")
SHOUT_LETTERS = 8
"""A message of this many letters, mostly capitals, counts as shouting."""
MIN_FOREIGN_WORDS = 3
FOREIGN_SHARE = 0.6
"""A message nothing matched, with this share of unknown words, gets the language notice."""
POSTCODE_PAYLOAD = POSTCODE_START
"""Deep-link payload for a postal code (`t.me/<bot>?start=pc-3500`); defined in `actions`."""


@dataclass(frozen=True)
class Reading:
    """What the engine understood of a message, before deciding what to reply."""

    question: NormalizedQuestion
    language: str
    """`nl`, a language of `talen.yaml` (`fr`, `en`), or `anders` (another script)"""
    ranked: tuple[Hit, ...]
    """Items matching the question, best first (none for another language)"""
    urgency: Assessment


@dataclass(frozen=True)
class Answer:
    """The engine's decision for one free-text question, and the reply to send."""

    outcome: Outcome
    urgent: bool
    hits: tuple[Hit, ...]
    reply: Reply
    elapsed_ms: float
    reading: Reading | None = None


def clean(text: str) -> str:
    """Drop control and format characters (keeping line breaks) and cut absurd lengths."""
    text = text[:MAX_INPUT_CHARS]
    if text.isascii() and text.replace("\n", " ").replace("\t", " ").isprintable():
        return text.strip()  # the common case, without a per-character loop
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def _typed_cues(text: str) -> list[str]:
    """How a message is typed, which folding loses: a question mark, an exclamation mark,
    shouting in capitals. The urgency model weighs them (a "?" often marks a general question,
    "HELP!!" rarely does)."""
    cues = []
    if "?" in text:
        cues.append("vraagteken")
    if "!" in text:
        cues.append("uitroep")
    # Regexes count in C (this runs on every message); the capitals first, as most messages
    # have too few to shout (more than half of at least `SHOUT_LETTERS` letters).
    capitals = len(_CAPITAL.findall(text))
    if capitals > SHOUT_LETTERS / 2:
        letters = len(_LETTER.findall(text))
        if letters >= SHOUT_LETTERS and capitals > letters / 2:
            cues.append("hoofdletters")
    return cues


def _best_item(ranked: Sequence[Hit]) -> Hit | None:
    """The best-ranked item, the out-of-scope pseudo item left out."""
    return next((hit for hit in ranked if hit.item_id != OUT_OF_SCOPE), None)


def _since(started: float) -> float:
    """Milliseconds since a `time.perf_counter()` reading, rounded for reports."""
    return round((time.perf_counter() - started) * 1000, 3)


class Engine:
    """Answers everything a user can send, from the current content."""

    def __init__(self, store: ContentStore, policy: Policy = DEFAULT_POLICY) -> None:
        self._store = store
        self._policy = policy

    @property
    def store(self) -> ContentStore:
        """The content store (for reloads)."""
        return self._store

    @property
    def policy(self) -> Policy:
        """The matching thresholds this engine decides with (inline mode lists by them too)."""
        return self._policy

    def read(self, text: str) -> Reading:
        """Normalize a message once and read its language, matches and urgency."""
        return self._read(self._store.current, clean(text))

    def ask(self, text: str) -> Answer:
        """Answer a free-text question."""
        started = time.perf_counter()
        snap = self._store.current
        question = clean(text)
        if not any(ch.isalnum() for ch in question):
            # Empty, only emoji or punctuation: nothing to search for.
            found = snap.small_talk.find(question, "")
            if found is not None:
                reply = snap.replies.small_talk(snap.small_talk.replies[found])
                return Answer(Outcome.SMALLTALK, False, (), reply, _since(started))
            reply = snap.replies.message("leeg_bericht")
            return Answer(Outcome.FALLBACK, False, (), reply, _since(started))
        reading = self._read(snap, question)
        outcome, urgent, hits, reply = self._decide(snap, reading)
        return Answer(outcome, urgent, tuple(hits), reply, _since(started), reading)

    def _read(self, snap: Snapshot, text: str) -> Reading:
        question = snap.index.normalizer.question(text)
        language = snap.languages.guess(text, question.folded.split())
        ranked = tuple(snap.index.search(question)) if language == DUTCH else ()
        # The urgent item's own search terms are urgent phrasings too: matching it well is
        # evidence the model weighs with the rest.
        best = _best_item(ranked)
        extra = [*_typed_cues(text)]
        if (
            best is not None
            and best.item_id == snap.library.urgent.id
            and best.score >= self._policy.answer_score
        ):
            extra.append("item")
        urgency = snap.urgency.assess(
            question.standard, DUTCH if language == OTHER else language, extra
        )
        return Reading(question, language, ranked, urgency)

    def _not_dutch(
        self, snap: Snapshot, reading: Reading
    ) -> tuple[Outcome, bool, list[Hit], Reply]:
        """A message in French or English (an emergency reply in that language, or the
        language notice), or in another script (the notice)."""
        replies = snap.replies
        if reading.language == OTHER:
            return Outcome.FALLBACK, False, [], replies.other_language()
        # A place named in French or English ("une crèche à Gand") still finds its VK.
        place = snap.places.find(reading.question.text)
        region = replies.region_button(place) if place is not None else None
        if reading.urgency.urgent and snap.speaks(reading.language):
            reply = replies.emergency_in(reading.language, region)
            return Outcome.ANSWER, True, [Hit(snap.library.urgent.id, 100.0)], reply
        return Outcome.FALLBACK, False, [], replies.other_language(region)

    def _decide(self, snap: Snapshot, reading: Reading) -> tuple[Outcome, bool, list[Hit], Reply]:
        replies = snap.replies
        library = snap.library
        urgent_id = library.urgent.id
        question = reading.question.text
        if reading.language != DUTCH:
            return self._not_dutch(snap, reading)
        urgent = reading.urgency.urgent
        place = snap.places.find(question)
        if urgent:
            # The emergency reply: the numbers first. A place named in the question gives the
            # VK's button (or its candidates'). An item the question clearly asks for gets a
            # button too ("papa staat dronken aan de deur": what to do at the door), but only
            # one the urgent item lists as what follows an emergency (its `verwant`): next to
            # 112 and 101 no button may lead astray.
            hits = [Hit(urgent_id, 100.0)]
            answer = None
            others = [h for h in reading.ranked if h.item_id not in (urgent_id, OUT_OF_SCOPE)]
            match = decide(others, self._policy)
            if match.outcome is Outcome.ANSWER and match.hits[0].item_id in library.urgent.verwant:
                answer = library.items.get(match.hits[0].item_id)
            if place is not None:
                hits += [Hit(i, 100.0) for i in replies.candidate_ids(place)]
            if answer is not None:
                hits.append(Hit(answer.id, match.hits[0].score))
            reply = replies.emergency(replies.region_button(place), answer)
            return Outcome.ANSWER, True, hits, reply
        chat = self._small_talk(snap, reading)
        if chat is not None:
            return Outcome.SMALLTALK, False, [], replies.small_talk(snap.small_talk.replies[chat])
        ranked = list(reading.ranked)
        match = decide(ranked, self._policy, len(reading.question.content_words))
        hits = list(match.hits)
        outcome = match.outcome
        if (
            place is not None
            and outcome is Outcome.FALLBACK
            and not self._about_place(snap, reading.question, place.query_name, ranked)
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
            reply = replies.item(library.items[hits[0].item_id])
            vks = replies.candidate_ids(place)
            if place.status is None and vks:
                reply = replies.pointing_to(reply, vks[0])
        elif place is not None:
            reply, place_hits = self._place_reply(snap, place)
            answered = hits[0].item_id if outcome is Outcome.ANSWER else None
            if (
                answered is not None
                and answered not in {h.item_id for h in place_hits}
                and not self._is_vk(snap, answered)
            ):
                # Never "Dit vond ik ook: VK Limburg" under a place: the place decides the VK.
                reply = replies.pointing_to(reply, answered)
            hits, outcome = place_hits, Outcome.ANSWER
        elif outcome is Outcome.ANSWER:
            reply = replies.item(library.items[hits[0].item_id])
        elif outcome is Outcome.CLARIFY:
            reply = replies.clarify(h.item_id for h in hits)
        elif self._foreign(snap, reading.question):
            return outcome, False, hits, replies.other_language()  # 112/101 on its first line
        else:
            reply = replies.fallback()
        if reading.urgency.level is Level.UNSURE:
            reply = replies.unsure(reply)
        return outcome, False, hits, reply

    @staticmethod
    def _small_talk(snap: Snapshot, reading: Reading) -> str | None:
        """The small-talk entry a message is; thanks in front of a worry is not small talk."""
        best = _best_item(reading.ranked)
        return snap.small_talk.find(
            reading.question.text,
            reading.question.standard,
            opened=reading.urgency.level is Level.NONE
            and (best is None or best.score < THANKS_MAX_MATCH),
        )

    @staticmethod
    def _foreign(snap: Snapshot, question: NormalizedQuestion) -> bool:
        """Whether a message nothing matched reads as another language (German, Polish…):
        most of its words are unknown to the content, even after typo correction."""
        words = question.content_words
        if len(words) < MIN_FOREIGN_WORDS:
            return False
        _, unknown = snap.index.stems(list(words))
        return unknown / len(words) >= FOREIGN_SHARE

    @staticmethod
    def _about_place(
        snap: Snapshot, question: NormalizedQuestion, place_name: str, ranked: list[Hit]
    ) -> bool:
        """Whether a question that matched nothing else asks where to turn in a place.

        Yes when it names the VK ("welk vk", "vertrouwenscentrum"); no when it reads like an
        out-of-scope topic ("een job in Leuven"); otherwise only when few words remain
        beside the place name ("ik werk in Gent" yes, "wat voor weer wordt het in Gent" no).
        """
        named = set(fold(place_name).split())
        stems = [
            (word, snap.index.stem_of(word))
            for word in question.content_words
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

    @staticmethod
    def _is_vk(snap: Snapshot, item_id: str) -> bool:
        """One of the regional VKs."""
        item = snap.library.items[item_id]
        return isinstance(item, Partner) and item.provincie is not None

    @staticmethod
    def _place_reply(snap: Snapshot, place: Place) -> tuple[Reply, list[Hit]]:
        library = snap.library
        ids = snap.replies.candidate_ids(place)
        if place.status is None:
            ids += [i for i in library.regions.lokale_partners if i in library.items]
        return snap.replies.place(place), [Hit(i, 100.0) for i in ids]

    def reload(self) -> Reply:
        """Reload the content (admins only: the adapter checks); broken content is refused.

        Blocking (it reads and validates the folder): the adapter runs it off the event loop.
        The reply says what changed (items added, removed, changed), or the problems.
        """
        before = self._store.current.library
        problems = self._store.reload()
        after = self._store.current
        reply = after.replies.reload_result(problems)
        if after.library is before:
            return reply
        return reply.then(changes_reply(compare(before, after.library), after.library))

    def show(self, item_id: str) -> Reply | None:
        """The reply for one item (a menu button or deep link), or None if it does not exist."""
        snap = self._store.current
        item = snap.library.items.get(item_id)
        return snap.replies.item(item) if item else None

    def press(self, payload: str) -> Reply:
        """Answer a button press; forged or outdated data gets a polite note and the menu (in
        the decision aid: its own note and its first question).

        A button that moves through the step plan or the menus (`Action.in_place`) gets a
        reply that replaces the pressed message (`Reply.replace`), as the decision aid's do.
        """
        snap = self._store.current
        replies = snap.replies
        action = decode(payload)
        if action is None:
            return replies.message("knop_verlopen")
        reply = self._answer(snap, action)
        if reply is None:
            return reply_expired(snap)
        return replace(reply, replace=True) if action.in_place else reply

    def _answer(self, snap: Snapshot, action: Action) -> Reply | None:
        replies = snap.replies
        match action.verb:
            case Verb.ITEM:
                item = snap.library.items.get(action.argument)
                return replies.item(item) if item else None
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
            case Verb.FAQ:
                return replies.faq_menu() if replies.faq_button() else None
            case Verb.THEME:
                return replies.theme(action.argument)
            case Verb.DECISION:
                if not action.argument:
                    return replies.decision_start(replace=True)  # "Opnieuw"
                return replies.decision(decision_step(action))
            case Verb.COMMAND:
                if action.argument in commands.ANSWERED:
                    return self.command(action.argument)
        return None

    def place(self, text: str) -> Reply:
        """The regional VK for a postal code or town name (`/contact 3500`)."""
        snap = self._store.current
        if not fold(text):
            return snap.replies.ask_place()
        place = snap.places.find(clean(text))
        if place is None:
            return snap.replies.message("regio_niet_gevonden")
        reply, _ = self._place_reply(snap, place)
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
            case "help" | "deel":
                # /deel needs the bot's username for its link: the Telegram adapter answers it
                # (link, QR code, poster); elsewhere the help says how sharing works.
                return replies.help()
            case "menu":
                return replies.menu()
        item_for_command = {
            "stappenplan": "stappenplan",
            "beslishulp": "beslishulp",
            "noodnummers": "noodnummers",
            "privacy": "privacy",
        }
        item_id = item_for_command.get(name)
        if item_id and item_id in snap.library.items:
            return replies.item(snap.library.items[item_id])
        return replies.unknown_command(self.suggest_commands(name))


def reply_expired(snap: Snapshot) -> Reply:
    """The polite note for a button whose item or theme no longer exists, with the menu."""
    return snap.replies.message("knop_verlopen")
