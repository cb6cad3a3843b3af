from __future__ import annotations

import pytest

from bot.actions import MAX_PAYLOAD_BYTES, Action, Verb, decode, show


def test_round_trip() -> None:
    for action in (
        Action(Verb.ITEM, "signalen-noteren"),
        Action(Verb.MENU),
        Action(Verb.POSTCODE, "3500"),
    ):
        assert decode(action.encode()) == action


def test_longest_id_fits_in_telegram_callback_data() -> None:
    assert len(show("a" * 40).encode()) <= MAX_PAYLOAD_BYTES


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "x",
        "i:",
        "i:Hoofdletters",
        "i:" + "a" * 70,
        "m:extra",
        "p:0123",
        "p:abcd",
        "ï:é",
        "i:../../etc",
        "i:a b",
    ],
)
def test_forged_payloads_are_refused(payload: str) -> None:
    assert decode(payload) is None


def test_encode_refuses_oversized_payloads() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Action(Verb.ITEM, "x" * 80).encode()
