"""What happens to reports on their way to us, as functions: the damage the fuzzer and property tests apply.

Line-level corruptions take a rendering's lines and a Random and return new lines (:data:`LINE_CORRUPTIONS`);
byte-level ones damage the encoded file (:data:`BYTE_CORRUPTIONS`). :func:`corrupt` applies a few to one
rendering; :func:`make_case` makes input number ``seed`` of a fuzz run, deterministic so a failure replays.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from xxgk.contract import codes
from xxgk.testing import synth


def delete_lines(lines: list[str], rng: random.Random) -> list[str]:
    keep = [ln for ln in lines if rng.random() > 0.1]
    return keep or lines[:1]


def duplicate_lines(lines: list[str], rng: random.Random) -> list[str]:
    out = []
    for ln in lines:
        out.append(ln)
        if rng.random() < 0.08:
            out.append(ln)
    return out


def shuffle_lines(lines: list[str], rng: random.Random) -> list[str]:
    """Swap neighbours here and there, and move one stretch elsewhere (a page read out of order)."""
    out = list(lines)
    for i in range(len(out) - 1):
        if rng.random() < 0.05:
            out[i], out[i + 1] = out[i + 1], out[i]
    if len(out) > 10:
        a = rng.randrange(len(out) - 5)
        b = rng.randint(a + 1, min(len(out), a + 30))
        block = out[a:b]
        del out[a:b]
        at = rng.randrange(len(out) + 1)
        out[at:at] = block
    return out


# What OCR does to these documents (variants seen in real reports): markup, slips, stray characters and spaces.
_OCR_SLIPS = (
    ("二、", "_,"),
    ("实际", "石基"),
    ("、", "，"),
    ("总计", "合计"),
    ("(", "（"),
    ("一", "-"),
    ("1", "l"),
    ("0", "O"),
    ("废", "度"),
    ("：", ":"),
)
_STRAY = (
    "<del>",
    "</del>",
    "<b>",
    "</b>",
    "**",
    "|",
    " ",
    "\t",
    "·",
    "_",
    "〇",
    "口",
    "丨",
    "—",
    "/",
    "-",
    "无",
    "。",
)


def ocr_noise(lines: list[str], rng: random.Random) -> list[str]:
    out = []
    for ln in lines:
        if ln and rng.random() < 0.2:
            chars = list(ln)
            for _ in range(rng.randint(1, 3)):
                pos = rng.randrange(len(chars) + 1)
                r = rng.random()
                if r < 0.4:
                    chars.insert(pos, rng.choice(_STRAY))
                elif r < 0.7 and pos < len(chars):
                    del chars[pos]
                elif pos < len(chars):
                    chars[pos] = chr(rng.randint(0x4E00, 0x9FA5))
            ln = "".join(chars)
            for old, new in _OCR_SLIPS:
                if old in ln and rng.random() < 0.2:
                    ln = ln.replace(old, new, 1)
        out.append(ln)
        if rng.random() < 0.02:
            out.append(rng.choice(("<b>", "| --- | --- |", "( <del> </del> - <i> </i>", "口口口", "—— / ——")))
    return out


def glue_digits(lines: list[str], rng: random.Random) -> list[str]:
    """Numbers run together (a PDF with narrow cells): 0 0 12 -> 0012 on some lines."""
    return [re.sub(r"(?<=\d)[ \t]+(?=\d)", "", ln) if rng.random() < 0.1 else ln for ln in lines]


def split_digits(lines: list[str], rng: random.Random) -> list[str]:
    """A number broken over two lines or by a space (12 -> 1 / 2)."""
    out = []
    for ln in lines:
        m = re.search(r"\d\d", ln)
        if m and rng.random() < 0.05:
            cut = m.start() + 1
            if rng.random() < 0.5:
                out.extend([ln[:cut], ln[cut:]])
            else:
                out.append(ln[:cut] + " " + ln[cut:])
        else:
            out.append(ln)
    return out


def glue_runs_with_a_space(lines: list[str], rng: random.Random) -> list[str]:
    """Numbers run together as web text loses its cell separators, one space left somewhere inside the run
    (0 0 0 31 -> 000 31, or 00 031)."""
    out = []
    for ln in lines:
        glued = re.sub(r"(?<=\d)[ \t]+(?=\d)", "", ln)
        runs = [m for m in re.finditer(r"\d{3,}", glued)]
        if glued != ln and runs and rng.random() < 0.1:
            run = rng.choice(runs)
            at = rng.randrange(run.start() + 1, run.end())
            ln = glued[:at] + " " + glued[at:]
        out.append(ln)
    return out


# Marks printed beside numbers in real reports: superscripts, circled numbers, reference symbols, and the
# <sup> markup OCR and web pages use for them.
_FOOTNOTE_MARKS = ("¹", "²", "³", "①", "②", "⑶", "⒈", "❶", "※", "*", "†", "<sup>1</sup>", "<sup>2</sup>")
_NUMBER_END = re.compile(r"\d(?=[\s\t|<]|$)")


def footnote_marks(lines: list[str], rng: random.Random) -> list[str]:
    """A footnote mark after a number on some lines (66 -> 66², 15 -> 15①): never a digit of the number."""
    out = []
    for ln in lines:
        ends = list(_NUMBER_END.finditer(ln))
        if ends and rng.random() < 0.1:
            at = rng.choice(ends).end()
            ln = ln[:at] + rng.choice(_FOOTNOTE_MARKS) + ln[at:]
        out.append(ln)
    return out


# What a page break leaves between a table's rows (issue 10, class 2): a page number, and a running header
# or footer that repeats the report's title or agency.
_PAGE_NUMBERS = (
    "— {n} —",
    "- {n} -",
    "—{n}—",
    "－{n}－",
    "第{n}页",
    "第 {n} 页 共 {m} 页",
    "{n}/{m}",
    "{n} / {m}",
)
_TAG = re.compile(r"<[^<>]*>")


def page_furniture(lines: list[str], rng: random.Random) -> list[str]:
    """Page numbers, and now and then the report's title or its first words, inserted after some lines."""
    title = next((_TAG.sub("", ln).strip() for ln in lines if "年度报告" in ln and len(ln) < 200), "")
    html = any(ln.lstrip().startswith("<") for ln in lines[:3])
    out, page, pages = [], 1, rng.randint(5, 40)
    for ln in lines:
        out.append(ln)
        if rng.random() < 0.05:
            page += 1
            inserted = [rng.choice(_PAGE_NUMBERS).format(n=page, m=max(page, pages))]
            if title and rng.random() < 0.4:
                inserted.insert(
                    rng.randrange(2), title if rng.random() < 0.5 else title.split("年")[0] + "年"
                )
            out += [f"<p>{t}</p>" for t in inserted] if html else inserted
    return out


# Notes printed under or between a table's rows (class 3), mentioning a row and a number: never a row.
_NOTE_OPENERS = ("注：", "注:", "注1：", "*注：", "说明：", "备注：")
_NOTE_LABELS = tuple(r.zh.split("、")[-1] for r in codes.REQUEST_ROWS) + tuple(
    i.zh for i in codes.PROACTIVE_ITEMS
)
_HAS_CELLS = re.compile(r"\d[\s\t|<>/a-z]+\d")


def table_notes(lines: list[str], rng: random.Random) -> list[str]:
    """After some lines that hold numbers, a note naming a row label with a number in a cell of its own."""
    out = []
    for ln in lines:
        out.append(ln)
        if _HAS_CELLS.search(ln) and rng.random() < 0.05:
            opener, label, n = rng.choice(_NOTE_OPENERS), rng.choice(_NOTE_LABELS), rng.randint(0, 999)
            if ln.lstrip().startswith("<tr"):
                out.append(f"<tr><td>{opener}{label}</td><td>{n}</td><td>件</td></tr>")
            elif "\t" in ln:
                out.append(f"{opener}{label}\t{n}\t件")
            else:
                out.append(rng.choice((f"{opener}{label} {n} 件", f"{opener}{label}中有{n}件为依申请公开。")))
    return out


# A number printed with what makes it not a count (class 4): a unit, an approximation, a range, a stray
# point, a minus sign (ASCII, full-width, U+2212).
_ODD_FORMS = ("{n}件", "约{n}", "{n}%", "{n}-{m}", "{n}.", "近{n}", "-{n}", "－{n}", "−{n}")
_CELL_NUMBER = re.compile(r"(?<=[\s>|])\d+(?=[\s<|]|$)")


def odd_tokens(lines: list[str], rng: random.Random) -> list[str]:
    """On some lines, one number standing as a cell gets a unit, an approximation, a range or a sign."""
    out = []
    for ln in lines:
        found = list(_CELL_NUMBER.finditer(ln))
        if found and rng.random() < 0.1:
            m = rng.choice(found)
            n = int(m.group())
            ln = ln[: m.start()] + rng.choice(_ODD_FORMS).format(n=n, m=n + rng.randint(1, 9)) + ln[m.end() :]
        out.append(ln)
    return out


LINE_CORRUPTIONS: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    "delete": delete_lines,
    "duplicate": duplicate_lines,
    "shuffle": shuffle_lines,
    "ocr_noise": ocr_noise,
    "glue_digits": glue_digits,
    "split_digits": split_digits,
    "footnote_marks": footnote_marks,
    "glue_runs_with_a_space": glue_runs_with_a_space,
    "page_furniture": page_furniture,
    "table_notes": table_notes,
    "odd_tokens": odd_tokens,
}


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    """Overwrite, insert and delete random bytes (a damaged download)."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if not buf:
            break
        pos = rng.randrange(len(buf))
        r = rng.random()
        if r < 0.4:
            buf[pos] = rng.randrange(256)
        elif r < 0.7:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            del buf[pos : pos + rng.randint(1, 8)]
    return bytes(buf)


def cut_bytes(data: bytes, rng: random.Random) -> bytes:
    """The file cut at a random byte, perhaps mid-character."""
    return data[: rng.randrange(1, len(data) + 1)] if data else data


def wrong_encoding(text: str, rng: random.Random) -> bytes:
    """Bytes in an encoding the parser does not read, or read wrongly (mojibake, a stray BOM)."""
    choice = rng.randrange(6)
    if choice == 0:
        return text.encode("big5", errors="replace")
    if choice == 1:
        return text.encode("shift_jis", errors="replace")
    if choice == 2:  # UTF-8 read as Latin-1 and saved again as UTF-8
        return text.encode("utf-8").decode("latin-1").encode("utf-8")
    if choice == 3:  # GB18030 bytes behind a UTF-8 BOM
        return b"\xef\xbb\xbf" + text.encode("gb18030")
    if choice == 4:  # UTF-16 cut to an odd length
        data = text.encode("utf-16-le")
        return data[: len(data) - 1 - 2 * rng.randrange(max(1, len(data) // 4))]
    return text.encode("euc-kr", errors="replace")


BYTE_CORRUPTIONS = ("random_bytes", "cut_bytes", "wrong_encoding")


@dataclass
class Case:
    """One corrupted input and how it was made."""

    data: bytes
    layout: str
    corruptions: list[str]
    seed: int


def corrupt(
    rendering: synth.Rendering, rng: random.Random, seed: int = 0, corruptions: list[str] | None = None
) -> Case:
    """Apply one to four corruptions (line-level, then at most one byte-level) to a rendering."""
    if corruptions is None:
        # OCR noise does not happen to web pages (and inside tags it is random bytes' job).
        names = [n for n in LINE_CORRUPTIONS if not (rendering.layout == "html" and n == "ocr_noise")]
        corruptions = rng.sample(names, rng.randint(1, 3))
        if rng.random() < 0.3:  # most byte damage leaves a file that is rightly refused: keep it a minority
            corruptions.append(rng.choice(BYTE_CORRUPTIONS))
    lines = rendering.text.splitlines()
    for name in corruptions:
        if name in LINE_CORRUPTIONS:
            lines = LINE_CORRUPTIONS[name](lines, rng)
    text = "\n".join(lines) + "\n"
    data = text.encode(rng.choice(("utf-8", "utf-8", "utf-8", "gb18030", "utf-16")))
    if "wrong_encoding" in corruptions:
        data = wrong_encoding(text, rng)
    if "random_bytes" in corruptions:
        data = random_bytes(data, rng)
    if "cut_bytes" in corruptions:
        data = cut_bytes(data, rng)
    return Case(data, rendering.layout, corruptions, seed)


def make_case(seed: int) -> Case:
    """The corrupted input number ``seed``: deterministic, so a failure can be replayed from its seed."""
    rng = random.Random(seed)
    truth = synth.draw(rng)
    rendering = synth.render(truth, rng.choice(synth.LAYOUTS), rng)
    return corrupt(rendering, rng, seed)
