"""How a catalogue query reads its terms: Latin-script words are looked up as words (a prefix of a word,
hyphenated parts in a row), Chinese and other terms as substrings, short terms in the headlines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.market.catalogue import CatalogueQuery, holds_word_term, is_word_term, words


def test_latin_words_of_three_characters_or_more_are_word_terms() -> None:
    query = CatalogueQuery(text="Forecasting de-identified 5.0 c++ 气象观测 海南 API ai")
    assert query.word_terms == ("forecasting", "de-identified", "5.0", "api")
    assert query.substring_terms == ("c++", "气象观测")
    assert query.short_terms == ("海南", "ai")
    assert query.long_terms == ("forecasting", "de-identified", "5.0", "c++", "气象观测", "api")


def test_a_term_with_chinese_or_other_punctuation_is_not_a_word_term() -> None:
    assert not is_word_term("api服务")
    assert not is_word_term("a/b/c")
    assert not is_word_term("foo_bar")
    assert not is_word_term("de--identified")
    assert is_word_term("naïve")
    assert is_word_term("covid-19")


def test_a_word_term_is_a_prefix_of_a_word_with_its_parts_in_a_row() -> None:
    assert holds_word_term("crop forecasting model", "forecast")
    assert not holds_word_term("broadcast ratings", "cast")
    assert holds_word_term("aggregated and de-identified.", "de-identified")
    assert holds_word_term("de identified records", "de-identified")
    assert not holds_word_term("identified, de facto", "de-identified")
    assert holds_word_term("version 5.01", "5.0")
    assert not holds_word_term("version 15.0", "5.0")


@given(
    st.lists(st.sampled_from(["de", "identified", "forecast", "forecasting", "x", "5", "0"]), max_size=8),
    st.lists(st.sampled_from([" ", "-", ", ", ".", "_", "/"]), min_size=8, max_size=8),
    st.sampled_from(["de-identified", "forecast", "identified", "5.0", "forecasting-x"]),
)
def test_a_word_term_matches_exactly_where_its_words_follow_each_other(
    tokens: list[str], separators: list[str], term: str
) -> None:
    text = "".join(token + separator for token, separator in zip(tokens, separators, strict=False))
    found, parts = words(text), words(term)
    expected = any(
        found[i : i + len(parts) - 1] == parts[:-1] and found[i + len(parts) - 1].startswith(parts[-1])
        for i in range(len(found) - len(parts) + 1)
    )
    assert holds_word_term(text, term) == expected
