from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.model import SpokenForm, Synonym
from bot.normalize import Normalizer, fold, latin_share


def test_fold_strips_case_accents_and_punctuation() -> None:
    assert (
        fold("Geïmplementeerd, CRÈCHE!  (Onthaal-ouder)") == "geimplementeerd creche onthaal ouder"
    )


def test_synonyms_rewrite_longest_variant_first() -> None:
    normalizer = Normalizer.from_content(
        [
            Synonym(
                term="vertrouwenscentrum kindermishandeling",
                varianten=["vk", "vertrouwens centrum"],
            ),
            Synonym(term="gezinsopvang", varianten=["onthaalmoeder", "onthaal ouder"]),
        ],
        ["de", "een"],
    )
    assert normalizer.content_words("Bel de VK") == [
        "bel",
        "vertrouwenscentrum",
        "kindermishandeling",
    ]
    assert normalizer.content_words("een onthaal-ouder") == ["gezinsopvang"]
    assert normalizer.words("de vertrouwens centrum") == [
        "de",
        "vertrouwenscentrum",
        "kindermishandeling",
    ]


def test_split_compounds_are_joined_when_the_vocabulary_knows_them() -> None:
    normalizer = Normalizer().with_vocabulary({"kindermishandeling"})
    assert normalizer.words("kinder mishandeling") == ["kindermishandeling"]
    assert normalizer.words("kinder opvang") == ["kinder", "opvang"]


SPOKEN = Normalizer.from_content(
    [Synonym(term="kind", varianten=["kindje"])],
    ["de"],
    [
        SpokenForm(standaard="niet", varianten=["ni", "nie"]),
        SpokenForm(standaard="ik weet niet", varianten=["kweetni"]),
        SpokenForm(standaard="moet ik", varianten=["moetek", "moet k"]),
        SpokenForm(standaard="ik", varianten=["k"]),
        SpokenForm(standaard="kind en gezin", varianten=["k g"]),
    ],
)


def test_spoken_flemish_is_rewritten_before_synonyms() -> None:
    assert SPOKEN.standard("kweetni wa doen, hij ademt ni") == [
        "ik",
        "weet",
        "niet",
        "wa",
        "doen",
        "hij",
        "ademt",
        "niet",
    ]
    # Spoken forms first, synonyms after: "kindje" still becomes "kind".
    assert SPOKEN.words("moetek da kindje") == ["moet", "ik", "da", "kind"]


def test_the_longest_spoken_form_wins() -> None:
    # "'k" alone is "ik", but "K&G" is Kind en Gezin, not "ik g".
    assert SPOKEN.standard("'k bel K&G") == ["ik", "bel", "kind", "en", "gezin"]
    assert SPOKEN.standard("moet 'k bellen") == ["moet", "ik", "bellen"]


def test_a_question_is_normalized_once_into_every_form_the_readers_need() -> None:
    question = SPOKEN.question("Kweetni, de kindje ademt NI!")
    assert question.text == "Kweetni, de kindje ademt NI!"
    assert question.folded == "kweetni de kindje ademt ni"
    assert question.standard == "ik weet niet de kindje ademt niet"
    assert question.words == ("ik", "weet", "niet", "de", "kind", "ademt", "niet")
    assert question.content_words == ("ik", "weet", "niet", "kind", "ademt", "niet")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_the_standard_form_is_folded_already(text: str) -> None:
    # Urgency reads `standard` without folding it again (`UrgencyRules.read_folded`).
    standard = SPOKEN.question(text).standard
    assert fold(standard) == standard


def test_only_the_start_of_a_long_question_is_read_but_content_is_indexed_whole() -> None:
    long_text = "woord " * 400 + "gelden"
    assert "gelden" not in SPOKEN.question(long_text).words
    # Content texts go through `words`, which reads everything (the cut once hid the last
    # words of 18 answer texts from the vocabulary, so "gelden" was "corrected" to "zelden").
    assert SPOKEN.words(long_text)[-1] == "gelden"


def test_look_alike_letters_of_other_scripts_fold_to_latin() -> None:
    # A Cyrillic "е" and "а", a Greek "ο", full-width letters: all read as the Latin word.
    assert fold("mеs") == "mes"
    assert fold("еr stаat een pаpа") == "er staat een papa"
    assert fold("bοrstkas") == "borstkas"
    assert fold("ＨＥＬＰ") == "help"


def test_the_latin_share_tells_another_script() -> None:
    assert latin_share("de baby ademt niet") == 1.0
    assert latin_share("mеs") == 1.0  # look-alikes count as Latin
    assert latin_share("ребёнок не дышит") < 0.5
    assert latin_share("الطفل لا يتنفس") == 0.0
    assert latin_share("🙂") == 1.0  # no letters at all


def test_a_stop_word_is_never_the_tail_of_a_joined_compound() -> None:
    normalizer = Normalizer(stopwords=frozenset({"en", "een"})).with_vocabulary(
        {"ouderen", "ineen"}
    )
    assert normalizer.words("ouder en ouder") == ["ouder", "en", "ouder"]
    assert normalizer.words("in een noodgeval") == ["in", "een", "noodgeval"]
