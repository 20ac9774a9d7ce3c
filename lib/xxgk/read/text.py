"""Reading bytes into text, and normalising text once, in one place.

Every label and number the parser sees has gone through :func:`normalize_cell`: Unicode NFKC (full-width
digits, letters and brackets become ASCII), the remaining bracket and quote variants unified, markdown and
OCR markup dropped, white space folded. Chinese is never ASCII-folded.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


class UnreadableFile(Exception):
    """The bytes are not a text document we can read (empty, binary); the message says why."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int  # number of undecodable byte sequences replaced by U+FFFD


def decode(data: bytes) -> Decoded:
    """Decode a report's bytes: a BOM first, then UTF-16 without BOM, UTF-8, and GB18030 (a superset of GBK).

    >>> decode("一、总体情况".encode("gb18030")).encoding
    'gb18030'
    >>> decode(codecs.BOM_UTF8 + "年度报告".encode()).text
    '年度报告'
    >>> damaged = decode("一、总体情况".encode("gb18030") * 20 + bytes([0xFF]))  # one invalid byte
    >>> damaged.encoding, damaged.replaced
    ('gb18030', 1)
    """
    if not data.strip():
        raise UnreadableFile("the file is empty")
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict_or_replace(data, name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict_or_replace(data, utf16)
    if b"\x00" in data:
        raise UnreadableFile("the file is binary (it holds NUL bytes and is not UTF-16 text)")
    for name in ("utf-8", "gb18030"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if name == "gb18030" and not _looks_like_chinese(text):
            break
        return Decoded(text, name, 0)
    # A few broken sequences (a cut download, a damaged disk): keep the text with them replaced and count the
    # damage, in the candidate encoding that replaces the fewest. Each is far from the other here: GB18030
    # text read as UTF-8 loses nearly every Chinese character, and UTF-8 read as GB18030 breaks wherever a
    # run of Chinese ends on an odd byte; a tie stays UTF-8.
    candidates = [data.decode("utf-8", errors="replace"), data.decode("gb18030", errors="replace")]
    counts = [text.count("\ufffd") for text in candidates]
    best = 1 if counts[1] < counts[0] and _looks_like_chinese(candidates[1]) else 0
    text, replaced = candidates[best], counts[best]
    if replaced > max(16, len(text) // 20):
        raise UnreadableFile("the file is binary or in an unknown encoding (not UTF-8, UTF-16 or GB18030)")
    return Decoded(text, ("utf-8", "gb18030")[best], replaced)


def _strict_or_replace(data: bytes, name: str) -> Decoded:
    try:
        return Decoded(data.decode(name), name, 0)
    except UnicodeDecodeError:
        text = data.decode(name, errors="replace")
        return Decoded(text, name, text.count("\ufffd"))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has NUL in every other byte for ASCII; CJK text has none, so look at both."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for name, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > len(zeros) * 0.2 and other.count(0) < len(other) * 0.05:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if _looks_like_chinese(text) or text.isprintable() or "\n" in text:
                return name
    return None


def _looks_like_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only when the result reads as Chinese: mostly CJK
    text, or (a web page, whose markup is ASCII) CJK text nearly all of what is not ASCII.

    >>> _looks_like_chinese("<p>" + "本年度新收申请" * 5 + "</p>" * 200)
    True
    >>> _looks_like_chinese("caf\u00e9 na\u00efve r\u00e9sum\u00e9 " * 40)
    False
    """
    sample = text[:5000]
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if controls >= len(sample) * 0.01:
        return False
    if cjk > len(sample) * 0.2:
        return True
    return cjk >= 20 and len(_NOT_CHINESE.findall(sample)) <= cjk * 0.05


# Neither ASCII nor Chinese: not CJK ideographs, CJK or general punctuation, full-width forms, U+FFFD.
_NOT_CHINESE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\ufffd]")


# Markup that OCR and markdown extraction leave around text: HTML-ish tags, emphasis, heading marks.
_TAGS = re.compile(r"(?:</?(?:del|b|i|u|s|strong|em|sup|sub|span|br|p|td|tr)\b[^>]*>)+", re.IGNORECASE)
_EMPHASIS = re.compile(r"(?:\*\*|__)+")
_NUMERIC = frozenset("0123456789.,")


def _unmark(m: re.Match) -> str:
    """Markup goes, but between two numerals it leaves a space: 1<del>1 is two numbers, never 11."""
    s, i, j = m.string, m.start(), m.end()
    return " " if i > 0 and j < len(s) and s[i - 1] in _NUMERIC and s[j] in _NUMERIC else ""


# Footnote marks printed beside numbers: superscript and subscript digits, circled, parenthesised and
# full-stop numbers (① ⑴ ⒈ ❶ ➀ ㉑ ⓪), and reference symbols. NFKC would make most of them digits, and
# "66²" would be read as 662: a mark beside a number is never part of it.
def _digit_like() -> str:
    """Every character that is no decimal digit but that NFKC turns into digits (² ₂ ① ⒈ ㉑ ½ ⅛ 🄁 …): Unicode
    itself is the list, so no such character is missed (a damaged file holds any of them)."""
    return "".join(
        ch
        for ch in map(chr, range(0x80, 0x20000))
        if unicodedata.category(ch) == "No"
        and any("0" <= d <= "9" for d in unicodedata.normalize("NFKC", ch))
    )


def _char_class(chars: str) -> str:
    """A regex character class of ``chars`` written as ranges of consecutive code points: the same set,
    but searched several times faster than a class listing each character (it is searched on every line).

    >>> _char_class("abcx²")
    '[a-cx²]'
    """
    codes = sorted(set(map(ord, chars)))
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return (
        "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges) + "]"
    )


# and the dingbat ❶-➓, ⓫-⓿
_DIGIT_MARKS = _digit_like() + "".join(map(chr, (*range(0x2776, 0x2794), *range(0x24EB, 0x2500))))
_MARK_CHARS = _DIGIT_MARKS + "※*＊†‡§"
_MARKS = re.compile(_char_class(_MARK_CHARS) + "+")
_DIGITS = frozenset("0123456789０１２３４５６７８９")
_NUMERAL = _DIGITS | frozenset(".,．，")
_CELL_EDGE = frozenset(" \t\u3000|")
_DIGIT_LIKE = re.compile(_char_class(_DIGIT_MARKS))


def _unmark_number(m: re.Match) -> str:
    """A run of marks beside a digit goes; elsewhere it stays. Where it stands inside what would read as one
    number (a digit or separator on both sides: "1※,004", "12³45") it leaves a space, so the mark never
    joins two runs of digits into a number the document does not print."""
    s, i, j = m.string, m.start(), m.end()
    before, after = i > 0 and s[i - 1] in _NUMERAL, j < len(s) and s[j] in _NUMERAL
    if before and after:
        return " "
    touches_digit = (i > 0 and s[i - 1] in _DIGITS) or (j < len(s) and s[j] in _DIGITS)
    if touches_digit:
        return ""
    if not _DIGIT_LIKE.search(m.group()):
        return m.group()  # ※ * † away from numbers are text
    # A digit-like mark never becomes a digit (NFKC would make ① 1, ⁸ 8). Standing as a token of its own, a
    # cell printed "①" is no count: it becomes 〇 (OCR's zero sign), which the table readers refuse as a
    # number (not_a_number). On a word (报告⁸, ①予以公开) it is a note or an ordinal on the text, and goes.
    alone = (i == 0 or s[i - 1] in _CELL_EDGE) and (j == len(s) or s[j] in _CELL_EDGE)
    return "〇" if alone else ""


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUP_TAG = re.compile(r"<(su[pb])\b[^>]*>([^<]{1,4})</\1\s*>", re.IGNORECASE)


def as_mark(text: str) -> str | None:
    """The footnote mark a superscript or subscript holds ("2" → "²", "*" → "*"), or None if it is not one.

    >>> as_mark("2"), as_mark(" 12 "), as_mark("注"), as_mark("*")
    ('²', '¹²', None, '*')
    """
    mark = text.strip().translate(_SUPERSCRIPT)
    return mark if mark and _MARKS.fullmatch(mark) else None


def _sup_tag(m: re.Match) -> str:
    mark = as_mark(m.group(2))
    return m.group() if mark is None else mark


def footnote_marks(text: str) -> str:
    """The footnote marks that stand beside a number in ``text`` (before normalisation), joined.

    >>> footnote_marks("合计 66² 件，398¹，15①，7※"), footnote_marks("①予以公开"), footnote_marks("**15**")
    ('²¹①※', '', '')
    """
    if "<" in text:
        text = _TAGS.sub(_unmark, _SUP_TAG.sub(_sup_tag, text))
    if not _MARKS.search(text):
        return ""
    return "".join(
        m.group() for m in _MARKS.finditer(text) if _beside_number(m) and not _EMPHASIS.fullmatch(m.group())
    )


def has_marks(text: str) -> bool:
    """Whether ``text`` holds a character that can be a footnote mark (markup aside): without one,
    :func:`footnote_marks` of it, and of every part of it, is empty."""
    return _MARKS.search(text) is not None


def _beside_number(m: re.Match) -> bool:
    s, i, j = m.string, m.start(), m.end()
    return (i > 0 and s[i - 1] in _DIGITS) or (j < len(s) and s[j] in _DIGITS)


_HEADING = re.compile(r"^\s*(?:#{1,6}|[-*+]\s)\s*")
_SPACES = re.compile(r"[ \u3000\xa0]+")
# NFKC leaves these as they are; the template uses both shapes interchangeably.
_UNIFY = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "〔": "[",
    "〕": "]",
    "【": "[",
    "】": "]",
    "―": "—",
    "–": "-",
    "−": "-",  # the minus sign: −1 is -1 (a negative count, refused as such), − alone a "-" mark
}
_TO_UNIFY = re.compile("[" + "".join(_UNIFY) + "]")  # (a regex: str.translate is slow on CJK text)


def normalize_cell(text: str) -> str:
    """Normalise one line or cell: NFKC, markup dropped, quotes and brackets unified, spaces folded.

    Short cells (numbers, labels, headers) recur across the reports of a corpus and are normalised once
    (a bounded cache); long prose lines are not cached.

    >>> normalize_cell("（二）部分公开 １，７７４")
    '(二)部分公开 1,774'
    >>> normalize_cell("**二是**加强<del>培训</del>")
    '二是加强培训'
    >>> normalize_cell("1<del>1 9**9")
    '1 1 9 9'
    >>> normalize_cell("66² 398¹ 15① 7※ 12<sup>3</sup> ①予以公开 报告⁸")
    '66 398 15 7 12 予以公开报告'
    >>> normalize_cell("1**,004 1※,004 12³45 0</b>³ 7⅛ ½")
    '1 ,004 1 ,004 12 45 0 7 〇'
    """
    if len(text) <= _CACHED_LENGTH:
        return _normalize_short(text)
    global _last_long
    last = _last_long  # a long line is often normalised twice in a row (stream check, then split)
    if last[0] == text:
        return last[1]
    result = _normalize(text)
    _last_long = (text, result)
    return result


#: Cells up to this length are cached: numbers, labels, headers (a prose line is longer).
_CACHED_LENGTH = 48


_last_long = ("", "")


def _normalize(text: str) -> str:
    if "<" in text:  # OCR and markdown print a footnote as <sup>2</sup>: a mark, not a digit
        text = _SUP_TAG.sub(_sup_tag, text)
        text = _TAGS.sub(_unmark, text)  # before the marks: in "0</b>³" the mark stands beside the 0
    if _MARKS.search(text):
        text = _MARKS.sub(_unmark_number, text)
    text = nfkc(text)
    text = _TO_UNIFY.sub(_unify, text)
    if "<" in text:
        text = _TAGS.sub(_unmark, text)
    if "**" in text or "__" in text:
        text = _EMPHASIS.sub(_unmark, text)
    heading = _HEADING.match(text)
    if heading:
        text = text[heading.end() :]
    if "  " in text:  # NFKC made every other space (U+3000, U+00A0) a plain one
        text = _SPACES.sub(" ", text)
    text = text.strip()
    # A space between two CJK characters or a CJK character and a bracket is layout, not content.
    return _CJK_GAP.sub("", text)


def nfkc(text: str) -> str:
    """Unicode NFKC, fast for Chinese text.

    Chinese prose is never already NFKC: its full-width punctuation (，：（）) has compatibility mappings.
    Those characters map alone, whatever stands beside them, so they are replaced first (a regex, in C); then
    the string is usually normalised already, which the quick check confirms. Replacing a character by its
    NFKC form does not change the string's NFKD, so the result is exactly NFKC of the input.

    >>> nfkc("（二）部分公开 １，７７４") == unicodedata.normalize("NFKC", "（二）部分公开 １，７７４")
    True
    """
    text = _FULL_WIDTH.sub(_full_width, text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")  # full-width ASCII forms and the ideographic space
_FULL_WIDTH_NFKC = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}


def same_length_nfkc(text: str) -> str:
    """Full-width forms and unified quotes and dashes replaced one character for one: positions stay.

    >>> same_length_nfkc("（二）１，７７４−")
    '(二)1,774-'
    """
    if _FULL_WIDTH.search(text):
        text = _FULL_WIDTH.sub(_full_width, text)
    return _TO_UNIFY.sub(_unify, text) if _TO_UNIFY.search(text) else text


def _unify(m: re.Match) -> str:
    return _UNIFY[m.group()]


def _full_width(m: re.Match) -> str:
    return _FULL_WIDTH_NFKC[m.group()]


_normalize_short = lru_cache(maxsize=1 << 16)(_normalize)

_CJK = "\u3400-\u9fff\uf900-\ufaff"
# (It starts with the white space and looks behind from there: a look-behind first is tried at every position.)
_CJK_GAP = re.compile(rf"\s(?<=[{_CJK}()\"]\s)\s*(?=[{_CJK}()\"])")


def compact(text: str) -> str:
    """Remove all white space: how labels are compared (wrapped and spaced-out labels match).

    >>> compact("结 转 下年度")
    '结转下年度'
    """
    return "".join(text.split())  # str.split() and re's \s agree on what white space is
