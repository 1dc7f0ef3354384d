"""Words that can name a theme: lemmas of content words, without function words, verb forms
or praise adjectives.

A theme the catalogue does not name is named by its most distinctive words. Raw tokens made
junk names ("tuvimos · problema · cobros", "bom · satisfeito · boa"), so a word is kept only
when it can stand as a subject:

- not a function word: the maintained stopwords-iso lists (``stopwordsiso``) for Spanish,
  English and Portuguese, plus this package's own lists; the word and its lemma are checked, so
  "takes" goes with "take";
- not a verb: the lemma from ``simplemma`` is an infinitive ("tuvimos" -> "tener", "comprei"
  -> "comprar") while the word is not its plural ("lugares" -> "lugar" stays); Spanish and
  Portuguese infinitives ("trocar") and English past forms ("arrived", "lost") go too;
  English gerunds stay as written ("shipping");
- not a praise word: a positive entry of the comment language's sentiment lexicon ("bom",
  "excelente", "satisfeito") or a keyword of the catalogue's praise theme ("amei") says how the
  customer feels, not what about; negative words are kept, since many are subjects
  ("retraso", "problema", "atraso").

Words are grouped by lemma, so "cobro" and "cobros" count once and the name reads in the
singular.

>>> naming_words("Nunca tuvimos un problema con los cobros", "es")
[('problema', 'problema'), ('cobro', 'cobro')]
>>> naming_words("Comprei e gostei, produto bom", "pt")
[('produto', 'produto')]
"""

from __future__ import annotations

from functools import cache
from typing import Final

from cxpulse.text.language import Language
from cxpulse.text.words import STOPWORDS, fold, raw_tokens

MIN_LETTERS: Final = 3
PRAISE_VALENCE: Final = 1.0  # lexicon valence from which a word is an opinion, not a subject
_INFINITIVE: Final = ("ar", "er", "ir")


@cache
def function_words() -> frozenset[str]:
    """Folded function words of es, en and pt (stopwords-iso and this package's lists)."""
    import stopwordsiso

    words: set[str] = set().union(*STOPWORDS.values())
    for lang in ("es", "en", "pt"):
        words.update(fold(w) for w in stopwordsiso.stopwords(lang))
    return frozenset(words)


@cache
def lemma(word: str, lang: Language) -> str:
    """The dictionary form of ``word`` (lower case) in ``lang``, from simplemma."""
    import simplemma

    return str(simplemma.lemmatize(word.lower(), lang=lang)).lower()


def is_verb_form(word: str, base: str, lang: Language) -> bool:
    """Whether ``word`` (lower case) is an inflected verb, given its lemma ``base``."""
    w, b = fold(word), fold(base)
    if w == b:
        # An infinitive ("trocar", "comprar"); the few nouns of that shape ("taller") are not
        # missed in a theme name, short ones ("mar", "bar") are kept.
        return lang != "en" and len(w) > 4 and w.endswith(_INFINITIVE)
    if lang == "en":
        # A plural or third person ("prices", "takes") is left to the stop-word check; a
        # gerund ("shipping") names a subject; any other changed form is a past ("lost").
        return not w.endswith(("s", "ing"))
    return b.endswith(_INFINITIVE) and w not in (b + "s", b + "es")


@cache
def _praise(lang: Language) -> frozenset[str]:
    from cxpulse.text.lexicon import lexicon

    return frozenset(w for w, v in lexicon(lang).words.items() if v >= PRAISE_VALENCE)


def _praise_keyword(tokens: list[str]) -> bool:
    from cxpulse.text.catalog import BY_KEY

    return BY_KEY["praise"].matches(tokens)


def naming_word(word: str, lang: Language) -> tuple[str, str] | None:
    """(folded lemma, lemma as written) when ``word`` can name a theme, else None."""
    lower = word.lower()
    folded = fold(lower)
    if len(folded) < MIN_LETTERS:
        return None
    stop = function_words()
    if folded in stop:
        return None
    base = lower if lang == "en" and folded.endswith("ing") else lemma(lower, lang)
    folded_base = fold(base)
    if len(folded_base) < MIN_LETTERS or folded_base in stop:
        return None
    if is_verb_form(lower, base, lang):
        return None
    praise = _praise(lang)
    if folded in praise or folded_base in praise or _praise_keyword([folded, folded_base]):
        return None
    return folded_base, base


def naming_words(text: str, lang: Language) -> list[tuple[str, str]]:
    """The words of ``text`` that can name a theme, as (folded lemma, lemma as written)."""
    out = []
    for word in raw_tokens(text):
        kept = naming_word(word, lang)
        if kept is not None:
            out.append(kept)
    return out
