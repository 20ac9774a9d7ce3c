"""Numbers the prose states, each kept with the sentence it came from.

The prose is every line outside the tables, joined (PDF extractions break sentences across lines) and cut
into sentences at 。；!? . Within a sentence, outcomes (维持, 纠正…) belong to the proceeding named last
before them (行政复议 or 行政诉讼).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal

from xxgk.contract import codes
from xxgk.read.lines import Line
from xxgk.read.text import compact

_N = r"(?P<n>\d+(?:\.\d+)?)"
# A count must be a whole figure: "34000 多条" and "4.14 万条" are approximations and are skipped.
_COUNT = r"(?:件|宗|个|起|份)(?![多余])"
# Words between a keyword and its number; 中 ("其中", "申请中") starts a subset, which is another figure.
_GAP = r"[^,。;\d中]{0,14}?"

# (fact code, pattern, a word every match holds). Patterns see compact text (no white space, NFKC, commas in
# numbers removed). "石基" is an OCR slip for 实际 seen in real reports.
# A pattern that starts with a number is tried at every digit: it runs only where its word is in the text.
_PATTERNS: tuple[tuple[str, re.Pattern, str], ...] = tuple(
    (code, re.compile(p), word)
    for code, p, word in (
        (
            "new_received",
            rf"(?:新收|受理|收到|接收|接到)(?!和){_GAP}申请(?:数量)?(?:共|为|数)?{_N}{_COUNT}",
            "",
        ),
        ("carried_over", rf"(?:上年度?结转|结转上年度?){_GAP}{_N}{_COUNT}", ""),
        ("total_processed", rf"(?:办结|办理完毕){_GAP}{_N}{_COUNT}", ""),
        ("carried_forward", rf"结转(?:至)?下一?年度?{_GAP}{_N}{_COUNT}", ""),
        ("carried_forward", rf"{_N}{_COUNT}(?:申请)?结转(?:至)?下一?年度?", "结转"),
        # Only the year's total: "主动公开(政府)信息" or "公开政府信息"; "公开信息77条" in a column is a part.
        ("proactive_published", rf"(?:主动公开(?:政府)?信息|公开政府信息){_GAP}{_N}条(?![多余])", ""),
        ("fee_notices", rf"收费通知{_GAP}{_N}{_COUNT}", ""),
        ("fee_notified_yuan", rf"(?:涉及|通知)[^,。;\d]{{0,24}}?(?:金额|费用?){_N}元", ""),
        ("fee_collected_yuan", rf"(?:实际|石基)收取[^,。;\d]{{0,16}}?{_N}元", ""),
    )
)
# Sentences that state a zero in words.
_ZEROS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (code, re.compile(p))
    for code, p in (
        ("new_received", r"(?:无|没有|未收到)(?:依申请公开|政府信息公开申请)"),
        ("fee_collected_yuan", r"未(?:收取|收)(?:任何)?(?:政府信息公开)?信息处理费"),
    )
)
_PROCEEDING = re.compile(r"(?P<p>行政复议|行政诉讼)")
_PROCEEDING_TOTAL = re.compile(rf"^[^,;\d]{{0,8}}?{_N}{_COUNT}")
_OUTCOME = {
    "upheld": re.compile(rf"(?:维持结果|结果维持|维持){_GAP}{_N}{_COUNT}?"),
    "corrected": re.compile(rf"(?:纠正结果|结果纠正|纠正){_GAP}{_N}{_COUNT}?"),
    "other": re.compile(rf"(?:其他结果|结果其他){_GAP}{_N}{_COUNT}?"),
    "pending": re.compile(rf"(?:尚未审结|未审结){_GAP}{_N}{_COUNT}?"),
}
_SENTENCE_END = re.compile(r"[。;!?]")
_DIGIT_GAP = re.compile(r"\s(?<=[\d.,]\s)\s*(?=\d)")  # white space after a numeral, before a digit
_ENDS_AS_FULL_STOP = str.maketrans("!?", "。。")


def prose_text(lines: list[Line]) -> tuple[str, list[int], list[int]]:
    """The prose joined into one string, with the line number where each stretch starts.

    The lines are joined with a NUL (not white space, and not in a readable document) so that the
    substitutions run once over the document, not once per line; the NULs then cut it back into lines.
    """
    lines = [line for line in lines if line.text]
    joined = _JOIN.join(line.text for line in lines)
    if joined.count(_JOIN) >= len(lines):  # a NUL inside a line (damaged text) is white space here
        joined = _JOIN.join(line.text.replace(_JOIN, " ") for line in lines)
    # Digits never run on across a space or a line break: "3 / 2700件" is not 32700 (a "|" keeps them apart).
    joined = _LINE_DIGIT_GAP.sub(_JOIN + "|", _DIGIT_GAP.sub("|", joined))
    # 1,774 -> 1774 (a thousands separator inside a number, not a clause comma).
    joined = _THOUSANDS.sub("", compact(joined))
    parts = joined.split(_JOIN) if lines else []
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part)
    return "".join(parts), starts, [line.no for line in lines]


# These patterns start with a character to look for, then look behind it: a pattern that starts with a
# look-behind is tried at every position of the text, several times slower.
_JOIN = "\x00"
_LINE_DIGIT_GAP = re.compile(r"\x00(?<=[\d.,]\x00)(?=\d)")
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")


def extract_facts(lines: list[Line]) -> list[dict]:
    """Every fact the prose lines state, with value, unit, sentence and line."""
    text, starts, nos = prose_text(lines)
    units = {f.code: f.unit for f in codes.FACTS}
    facts = []

    def add(code: str, value: Decimal, sentence: str, pos: int) -> None:
        line = nos[bisect_right(starts, pos) - 1] if nos else None
        facts.append(
            {
                "fact_code": code,
                "value": float(value),
                "unit": units[code],
                "sentence": sentence,
                "source_line": line,
            }
        )

    # Each pattern runs once over the whole prose, not once per sentence (a call per sentence and pattern
    # cost more than the matching). No pattern can match across a sentence end: their gaps exclude 。 and ;,
    # and ! ? are made 。 in the copy that is searched. Facts are then ordered as if read sentence by
    # sentence: the patterns in order, then the stated zeros, then the proceedings.
    pieces = _SENTENCE_END.split(text)
    sentence_starts, pos = [], 0
    for piece in pieces:
        sentence_starts.append(pos)
        pos += len(piece) + 1
    searched = text.translate(_ENDS_AS_FULL_STOP) if "!" in text or "?" in text else text
    found = []  # (sentence, phase, pattern or call, match start, code, value, position of the number)
    for k, (code, pattern, word) in enumerate(_PATTERNS):
        if word not in searched:  # ("" is in every text)
            continue
        for m in pattern.finditer(searched):
            found.append(
                (
                    bisect_right(sentence_starts, m.start()) - 1,
                    0,
                    k,
                    m.start(),
                    code,
                    Decimal(m.group("n")),
                    m.start("n"),
                )
            )
    for k, (code, pattern) in enumerate(_ZEROS):
        seen = set()
        for m in pattern.finditer(searched):
            sentence = bisect_right(sentence_starts, m.start()) - 1
            if sentence not in seen:  # the first in each sentence
                seen.add(sentence)
                found.append((sentence, 1, k, m.start(), code, Decimal(0), m.start()))
    for sentence in {bisect_right(sentence_starts, m.start()) - 1 for m in _PROCEEDING.finditer(searched)}:
        calls = len(found)
        _proceedings(
            pieces[sentence],
            sentence_starts[sentence],
            lambda code, value, _, at, sentence=sentence, calls=calls: found.append(
                (sentence, 2, len(found) - calls, 0, code, value, at)
            ),
        )
    for sentence, _, _, _, code, value, at in sorted(found, key=lambda f: f[:4]):
        add(code, value, pieces[sentence], at)
    return _dedupe(facts)


def _proceedings(sentence: str, offset: int, add) -> None:
    """行政复议 N 件, 其中维持 a, 纠正 b…: outcomes go to the proceeding named last before them."""
    marks = list(_PROCEEDING.finditer(sentence))
    for i, mark in enumerate(marks):
        prefix = "review" if mark.group("p") == "行政复议" else "litigation"
        end = marks[i + 1].start() if i + 1 < len(marks) else len(sentence)
        span = sentence[mark.end() : end]
        total = _PROCEEDING_TOTAL.search(span)
        if total:
            add(
                f"{prefix}_total", Decimal(total.group("n")), sentence, offset + mark.end() + total.start("n")
            )
        for outcome, pattern in _OUTCOME.items():
            m = pattern.search(span)
            if m:
                add(
                    f"{prefix}_{outcome}", Decimal(m.group("n")), sentence, offset + mark.end() + m.start("n")
                )


def _dedupe(facts: list[dict]) -> list[dict]:
    """One fact per (code, value, sentence): two patterns reading the same words give one fact."""
    seen, out = set(), []
    for f in facts:
        key = (f["fact_code"], f["value"], f["sentence"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
