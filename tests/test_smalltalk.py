from __future__ import annotations

from bot.content.model import SmallTalk
from bot.normalize import fold
from bot.smalltalk import SmallTalkIndex

INDEX = SmallTalkIndex.build(
    [
        SmallTalk(id="groet", zinnen=["hallo", "goeiemorgen"], antwoord="Dag!"),
        SmallTalk(id="dank", zinnen=["dank je wel", "merci", "👍"], antwoord="Graag gedaan."),
    ],
    fold,
)


def find(text: str) -> str | None:
    return INDEX.find(text, fold(text))


def test_a_message_that_is_a_phrase_is_small_talk() -> None:
    assert find("Hallo!") == "groet"
    assert find("goeiemorgen") == "groet"
    assert find("dankjewel") == "dank"  # close enough
    assert find("👍") == "dank"  # no letters: matched as typed
    assert INDEX.replies["dank"] == "Graag gedaan."


def test_a_greeting_in_front_of_a_question_is_not() -> None:
    assert find("hallo, de papa is dronken aan de deur") is None
    assert find("merci maar wat moet ik nu doen met die blauwe plekken") is None
    assert find("🙂") is None


OPENED = SmallTalkIndex.build(
    [
        SmallTalk(id="groet", zinnen=["hallo"], antwoord="Dag!"),
        SmallTalk(id="dank", zinnen=["merci"], antwoord="Graag.", openers=["bedankt", "merci"]),
    ],
    fold,
)


def test_a_longer_message_that_opens_with_thanks_and_asks_nothing_is_thanks() -> None:
    def opened(text: str) -> str | None:
        return OPENED.find(text, fold(text))

    assert opened("Bedankt, dit helpt ons team echt verder.") == "dank"
    assert opened("merci vr de snelle hulp gisteren, is opgelost 👍") == "dank"
    # A question after the thanks, or a greeting (no opener) in front: not small talk.
    assert opened("bedankt, en hoe bel ik het vertrouwenscentrum in leuven?") is None
    assert opened("merci, maar ik maak me nog zorgen over dat meisje") is None
    assert opened("hallo, ik zie al een week blauwe plekken bij een peuter") is None
    assert opened("bedankt " + "heel " * 20 + "erg") is None  # a long story is no thanks
