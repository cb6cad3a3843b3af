from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.actions import MAX_PAYLOAD_BYTES, Action, Verb, decode, run, show


def test_round_trip() -> None:
    for action in (
        Action(Verb.ITEM, "signalen-noteren"),
        Action(Verb.MENU),
        Action(Verb.POSTCODE, "3500"),
        Action(Verb.COMMAND, "stappenplan"),
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
        "\ud800",  # a lone surrogate: cannot even be encoded as UTF-8
        "i:\udfff",
        "k:",
        "k:Help",
        "k:" + "a" * 33,
    ],
)
def test_forged_payloads_are_refused(payload: str) -> None:
    assert decode(payload) is None


def test_encode_refuses_oversized_payloads() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Action(Verb.ITEM, "x" * 80).encode()


def test_run_makes_a_command_payload() -> None:
    assert run("help") == "k:help"
    assert decode(run("noodnummers")) == Action(Verb.COMMAND, "noodnummers")


@given(st.text(st.characters(exclude_categories=()), max_size=80))
def test_decode_never_raises(payload: str) -> None:
    action = decode(payload)
    if action is not None:
        assert action.encode() == payload
