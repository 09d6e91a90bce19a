"""Word segmenter: the spacy-pkuseg model this project trains (``models/segmenter``).

Usage::

    from pipeline.segmenter import load_segmenter
    seg = load_segmenter()                          # cached; nothing is downloaded
    seg.cut("杭州市累计建成充电桩")                    # ['杭州市', '累计', '建成', '充电桩']
    seg = load_segmenter(user_words=("数字扁担",))   # names always kept whole (user dictionary)

As spaCy's Chinese tokenizer (word tokens instead of the pipeline's character tokens)::

    nlp = spacy_word_pipeline()                     # spacy.blank("zh") with segmenter "pkuseg"
    # which is: nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    #           nlp.tokenizer.initialize(pkuseg_model=str(model_path("segmenter")), pkuseg_user_dict="default")
    #           nlp.tokenizer.pkuseg_update_user_dict(list_of_names)

User dictionary: words given in ``user_words`` (e.g. gazetteer places and company names found by
stage 5/6) are matched longest-first before the model runs and never split. Give names, not
general vocabulary: a general lexicon imposes its own word conventions (on the held-out lines the
SIGHAN PKU training word list lowers PKU F1 from 0.909 to 0.897, the MSR list raises MSR F1 from
0.909 to 0.919; see models/README.md). Input should be normalized text (``doc._.view.text``): the model was trained on
half-width digits and letters.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .resources import model_path

NAME = "segmenter"


class Segmenter:
    """A loaded pkuseg model with an optional user dictionary; ``cut(text)`` returns the words."""

    def __init__(self, directory: Path, user_words: Iterable[str] = ()):
        import spacy_pkuseg

        words = sorted({w.strip() for w in user_words if w and w.strip()})
        self.directory = Path(directory)
        # A list (even empty) also turns on pkuseg's post-processing with its bundled word list, as
        # spaCy's tokenizer does; it raises held-out F1 (models/segmenter/MODEL_CARD.md).
        self._pkuseg = spacy_pkuseg.pkuseg(model_name=str(self.directory), user_dict=words)
        self.user_word_count = len(words)

    def cut(self, text: str) -> list[str]:
        """Split ``text`` into words; ``"".join(words) == text`` except that whitespace is dropped.

        Args:
            text: the text to segment.

        Returns:
            The words in order.
        """
        return self._pkuseg.cut(text)

    def add_words(self, words: Iterable[str]) -> None:
        """Add names to the user dictionary (kept whole from now on)."""
        for word in sorted({w.strip() for w in words if w and w.strip()}):
            self._pkuseg.preprocesser.insert(word, "")
            self.user_word_count += 1


@lru_cache(maxsize=8)
def _cached_segmenter(user_words: tuple[str, ...]) -> Segmenter:
    return Segmenter(model_path(NAME), user_words)


def load_segmenter(user_words: Optional[Iterable[str]] = None) -> Segmenter:
    """Load the committed segmenter (cached per distinct user dictionary).

    Args:
        user_words: names to keep whole (user dictionary), or None.

    Returns:
        The segmenter.
    """
    return _cached_segmenter(tuple(sorted(set(user_words or ()))))


def spacy_word_pipeline(user_words: Optional[Iterable[str]] = None):
    """Return ``spacy.blank("zh")`` whose tokenizer segments words with our pkuseg model.

    Args:
        user_words: names to keep whole, or None.

    Returns:
        A spaCy ``Language`` whose ``nlp(text)`` gives one token per word.
    """
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(model_path(NAME)), pkuseg_user_dict="default")
    if user_words:
        nlp.tokenizer.pkuseg_update_user_dict(sorted(set(user_words)))
    return nlp


def chars_per_second(segmenter: Segmenter, texts: list[str]) -> int:
    """Time ``segmenter.cut`` over ``texts``; return characters per CPU second (``time.process_time``)."""
    n_chars = sum(len(t) for t in texts)
    started = time.process_time()
    for text in texts:
        segmenter.cut(text)
    elapsed = time.process_time() - started
    return int(n_chars / elapsed) if elapsed > 0 else 0


@lru_cache(maxsize=1)
def stock_jieba():
    """Return a jieba tokenizer of our own with the stock dictionary, loaded once per process.

    Words other code adds to jieba's global tokenizer cannot change what this one does. The
    layout stage uses its word frequencies; the claims stage may cut predicates with it.
    """
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=1)
def stock_jieba_tagger():
    """Return a jieba part-of-speech tagger over :func:`stock_jieba`'s dictionary, loaded once per process."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(stock_jieba())


MAX_DICTIONARY_WORD = 6


def dictionary_cut(text: str) -> list[str]:
    """Cut ``text`` by forward maximum matching over jieba's stock dictionary (no HMM, no DAG).

    About three times faster than ``jieba.lcut`` on short stretches; a character no dictionary
    word starts with stays a word of its own. Good enough where words are only trimmed and joined
    again (the claims stage's predicates), not where the cut itself is the product.

    jieba's dictionary also holds every prefix of its words (with frequency 0), so the match
    grows one character at a time and stops at the first stretch no word starts with; the word
    taken is the longest stretch of at most :data:`MAX_DICTIONARY_WORD` characters with a
    frequency.

    >>> dictionary_cut("累计预约7121次")
    ['累计', '预约', '7', '1', '2', '1', '次']
    """
    frequency = stock_jieba().FREQ.get
    words, position, length = [], 0, len(text)
    while position < length:
        word_end = end = position + 1
        last_end = position + MAX_DICTIONARY_WORD
        if last_end > length:
            last_end = length
        while end < last_end:
            end += 1
            count = frequency(text[position:end])
            if count is None:  # no dictionary word starts with text[position:end]
                break
            if count:
                word_end = end
        words.append(text[position:word_end])
        position = word_end
    return words


WORD_CUTTERS = ("dictionary", "jieba", "pkuseg")


def word_cutter(kind: str):
    """Return a function that cuts a text into a list of words.

    Args:
        kind: ``dictionary`` (forward maximum matching over jieba's stock dictionary: the
            fastest), ``jieba`` (jieba's own cut with its stock dictionary and HMM: better words
            for unknown names, about a third the speed) or ``pkuseg`` (this project's model in
            ``models/segmenter``: the most accurate, ~43k chars/s, about 170 MB of memory).
    """
    if kind == "pkuseg":
        return load_segmenter().cut
    if kind == "jieba":
        return stock_jieba().lcut
    if kind == "dictionary":
        stock_jieba()  # load the dictionary now, not inside the first document
        return dictionary_cut
    raise ValueError(f"unknown word segmenter {kind!r}: use one of {WORD_CUTTERS}")
