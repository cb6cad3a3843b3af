from __future__ import annotations

from bot.content.model import Synonym
from bot.normalize import Normalizer, fold


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


def test_a_stop_word_is_never_the_tail_of_a_joined_compound() -> None:
    normalizer = Normalizer(stopwords=frozenset({"en", "een"})).with_vocabulary(
        {"ouderen", "ineen"}
    )
    assert normalizer.words("ouder en ouder") == ["ouder", "en", "ouder"]
    assert normalizer.words("in een noodgeval") == ["in", "een", "noodgeval"]
