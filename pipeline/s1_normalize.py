"""Stage 1, normalize: Traditional->Simplified, full-width->half-width, unified dashes and tildes.

Every change is one character for one character, so the normalized text has the raw text's
length and offsets carry over unchanged. The stage stores the result in ``doc._.norm_text`` (and,
with ``token_norms = true`` in the config, in ``token.norm_`` of each changed character token).
"""

from __future__ import annotations

from functools import lru_cache

import numpy
import opencc
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import raw_text

VERSION = "2"
LENGTH_PRESERVING_CONVERSIONS = ("t2s", "tw2s", "hk2s")

# Dashes written between the ends of a range, and the wave dash, fold to ASCII.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_TILDES = "\u301c\u223c\u02dc"
# Every other space character (no-break, en/em and thin spaces) becomes an ASCII space.
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_FOLD = {ord(c): " " for c in _SPACES}
_FOLD.update({code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})
_FOLD.update({ord(c): "-" for c in _DASHES})
_FOLD.update({ord(c): "~" for c in _TILDES})
WIDTH_AND_DASH_TABLE = str.maketrans(_FOLD)
# The same folding as a table indexed by code point (every folded character is in the BMP), for
# folding a long text in one vectorized lookup; str.translate is cheaper below about 64 characters.
_FOLDED_CODE = numpy.arange(0x10000, dtype=numpy.uint32)
_FOLDED_CODE[list(_FOLD)] = [ord(char) for char in _FOLD.values()]
VECTORIZED_FOLD_MIN_CHARS = 64


@lru_cache(maxsize=None)
def _converter(conversion: str) -> opencc.OpenCC:
    return opencc.OpenCC(conversion)


def to_simplified(text: str, conversion: str = "t2s") -> str:
    """Convert ``text`` to Simplified Chinese character for character.

    OpenCC's phrase tables are tried on the whole text first; should a phrase ever change the
    length, the text is converted character by character instead, so the length always holds.
    """
    if conversion not in LENGTH_PRESERVING_CONVERSIONS:
        raise ValueError(
            f"conversion {conversion!r} does not preserve length; use one of {LENGTH_PRESERVING_CONVERSIONS}"
        )
    converter = _converter(conversion)
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted
    singles = (converter.convert(ch) for ch in text)
    return "".join(s if len(s) == 1 else ch for s, ch in zip(singles, text))


def fold_width(text: str) -> str:
    """Fold full-width ASCII to half-width, Unicode spaces to a space, dashes to ``-``, tildes to ``~``."""
    if len(text) < VECTORIZED_FOLD_MIN_CHARS:
        return text.translate(WIDTH_AND_DASH_TABLE)
    codes = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    in_table = codes < len(_FOLDED_CODE)
    if in_table.all():
        folded = _FOLDED_CODE[codes]
    else:
        folded = codes.copy()
        folded[in_table] = _FOLDED_CODE[codes[in_table]]
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


def normalize_text(text: str, conversion: str = "t2s") -> str:
    """Return the normalized form of ``text``; it has exactly ``len(text)`` characters."""
    normalized = fold_width(to_simplified(text, conversion))
    assert len(normalized) == len(text), "normalization must preserve length"
    return normalized


class Normalizer:
    """spaCy component: fill ``doc._.norm_text`` (and, when asked, the changed tokens' ``norm_``).

    Args:
        conversion: the OpenCC conversion (``t2s``, ``tw2s`` or ``hk2s``).
        token_norms: also set ``token.norm_`` of every character token that normalization
            changes. Off by default: the stages read ``doc._.norm_text``, and setting token
            attributes one by one costs more than the rest of the text stages together.
    """

    def __init__(self, conversion: str = "t2s", token_norms: bool = False):
        self.conversion = conversion
        self.token_norms = token_norms
        self.version = f"{VERSION}:{conversion}"

    def __call__(self, doc: Doc) -> Doc:
        raw = raw_text(doc)
        normalized = normalize_text(raw, self.conversion)
        doc._.norm_text = normalized
        if self.token_norms and normalized != raw:
            for i, (a, b) in enumerate(zip(raw, normalized)):
                if a != b:
                    doc[i].norm_ = b
        return doc


@Language.factory(
    "zhclaims_normalize",
    assigns=["doc._.norm_text"],
    requires=[],
    default_config={"conversion": "t2s", "token_norms": False},
)
def make_normalizer(nlp: Language, name: str, conversion: str, token_norms: bool) -> Normalizer:
    return Normalizer(conversion, token_norms)
