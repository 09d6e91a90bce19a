"""Chinese and Arabic numerals to numbers: 10364, 55.4万, 五十五点四万, 两千三百万, 1/7, 三分之一.

The parser works on a span that has already been picked out (never on running text) and
handles what ``cn2an.cn2an(span, "smart")`` does not: Chinese decimals with a multiplier
(五十五点四万), Arabic mantissas with Chinese multipliers (1.2万亿, 3千万), colloquial elision
(一万五 = 15000, 三千五 = 3500), digit-by-digit years (二〇二五) and fractions.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

CHINESE_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
DECIMAL_POINTS = ("点", ".")
ARABIC = "0123456789"

#: Every character that may appear inside a numeral handled here.
NUMERAL_CHARS = "".join(CHINESE_DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS) + ARABIC + ".点,"


class NumeralError(ValueError):
    """The span is not a numeral this module can read."""


def _tokens(span: str) -> list[tuple[str, float]]:
    """Split a numeral into ("num", value) / ("small", 10|100|1000) / ("large", 1e4|1e8) tokens.

    Arabic runs (with their decimal part) become one number token; a Chinese decimal
    (五十五点四) is read by :func:`parse_number` before tokenizing.
    """
    tokens: list[tuple[str, float]] = []
    i, n = 0, len(span)
    while i < n:
        ch = span[i]
        if ch in ARABIC:
            j = i
            while j < n and (span[j] in ARABIC or (span[j] in ".," and j + 1 < n and span[j + 1] in ARABIC)):
                j += 1
            tokens.append(("num", float(span[i:j].replace(",", ""))))
            i = j
            continue
        if ch in CHINESE_DIGITS:
            tokens.append(("num", float(CHINESE_DIGITS[ch])))
        elif ch in SMALL_UNITS:
            tokens.append(("small", float(SMALL_UNITS[ch])))
        elif ch in LARGE_UNITS:
            tokens.append(("large", float(LARGE_UNITS[ch])))
        else:
            raise NumeralError(f"{span!r}: {ch!r} is not a numeral character")
        i += 1
    return tokens


def _section(tokens: list[tuple[str, float]]) -> float:
    """Value of a run below 万: digits and 十/百/千, with elision (三千五 = 3500) and 零 skipped."""
    total = 0.0
    digit: Optional[float] = None
    last_unit = 0.0
    zero_seen = False
    for kind, value in tokens:
        if kind == "num":
            if digit is not None and digit != 0:
                raise NumeralError("two digits in a row without a unit")
            zero_seen = zero_seen or value == 0
            digit = value
        else:  # small unit
            total += (1.0 if digit is None else digit) * value
            last_unit, digit, zero_seen = value, None, False
    if digit is not None:
        # 三千五 = 3500 (digit right after a unit means one order lower), 三千零五 = 3005.
        total += digit * (last_unit / 10 if last_unit and not zero_seen else 1)
    return total


def _integer_part(tokens: list[tuple[str, float]]) -> float:
    """Value of tokens that may contain 万/亿 (split at the largest multiplier, left-recursive)."""
    if not tokens:
        return 0.0
    largest = max((value for kind, value in tokens if kind == "large"), default=0.0)
    if not largest:
        return _section(tokens)
    # the last occurrence of the largest multiplier splits the numeral: 1.2万亿 = (1.2万) * 1e8
    split = max(i for i, (kind, value) in enumerate(tokens) if kind == "large" and value == largest)
    left, right = tokens[:split], tokens[split + 1 :]
    left_value = _integer_part(left) if left else 1.0
    if len(right) == 1 and right[0][0] == "num" and right[0][1] != 0 and left:
        right_value = right[0][1] * largest / 10  # 一万五 = 15000
    else:
        right_value = _integer_part(right)
    return left_value * largest + right_value


def _is_digit_sequence(span: str) -> bool:
    """True for digit-by-digit Chinese numerals such as 二〇二五 (no 十/百/千/万/亿)."""
    return len(span) > 1 and all(ch in CHINESE_DIGITS and ch != "两" for ch in span)


@lru_cache(maxsize=4096)
def parse_number(span: str) -> float:
    """Return the value of a numeral span (no unit, no qualifier).

    The same few numerals (两, 三, 10, 万...) recur all through a corpus, so values are cached.

    Args:
        span: Arabic, Chinese or mixed numeral: ``10364``, ``1,234.5``, ``55.4万``,
            ``五十五点四万``, ``两千三百万``, ``1.2万亿``, ``十``, ``二〇二五``, ``百``.

    Returns:
        The value with every multiplier applied.

    Raises:
        NumeralError: when the span is not a numeral.
    """
    span = span.strip()
    if not span:
        raise NumeralError("empty numeral")
    if span.isascii() and span.isdigit():
        return float(span)  # the common case, read as the tokens below would read it
    if _is_digit_sequence(span):
        return float("".join(str(CHINESE_DIGITS[ch]) for ch in span))
    if "点" in span:
        mantissa, _, rest = span.partition("点")
        fraction_digits = ""
        i = 0
        while i < len(rest) and (rest[i] in CHINESE_DIGITS or rest[i] in ARABIC):
            fraction_digits += str(CHINESE_DIGITS.get(rest[i], rest[i]))
            i += 1
        if not fraction_digits:
            raise NumeralError(f"{span!r}: nothing after 点")
        multiplier_tokens = _tokens(rest[i:])
        if any(kind == "num" for kind, _ in multiplier_tokens):
            raise NumeralError(f"{span!r}: digits after the decimal part")
        multiplier = 1.0
        for _, value in multiplier_tokens:
            multiplier *= value
        base = _integer_part(_tokens(mantissa)) if mantissa else 0.0
        return (base + float("0." + fraction_digits)) * multiplier
    return _integer_part(_tokens(span))


def parse_fraction(numerator: str, denominator: str) -> float:
    """Return ``numerator / denominator`` from two numeral spans (1/7, 三分之一 read as 一 / 三).

    Raises:
        NumeralError: when the denominator is zero or a part is not a numeral.
    """
    bottom = parse_number(denominator)
    if bottom == 0:
        raise NumeralError("zero denominator")
    return parse_number(numerator) / bottom


def render_chinese(value: int) -> str:
    """Render a non-negative integer as a Chinese numeral (the inverse of :func:`parse_number`).

    Used by tests and benchmarks; e.g. ``render_chinese(23_000_000) == "二千三百万"``.

    Args:
        value: the integer to render.

    Returns:
        The numeral, with 零 where a gap of zeros sits between non-zero parts.
    """
    digits = "零一二三四五六七八九"
    if value < 10_000:
        if value == 0:
            return "零"
        out, pending_zero = "", False
        for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = value // unit_value % 10
            if d:
                out += ("零" if pending_zero else "") + digits[d] + unit
                pending_zero = False
            elif out:
                pending_zero = True
        return out
    for size, name in ((100_000_000, "亿"), (10_000, "万")):
        if value >= size:
            high, low = divmod(value, size)
            text = render_chinese(high) + name
            if low:
                text += ("零" if low < size // 10 else "") + render_chinese(low)
            return text
    raise AssertionError("unreachable")
