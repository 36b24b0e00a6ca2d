"""HTML manuals to blocks with the stdlib parser; scripts and navigation dropped.

* ``h1``-``h6`` are headings; ``p``, ``div`` and the like paragraphs;
* ``ol`` is a procedure and ``ul`` a list; a list inside an item (sub-steps, bullets under a
  step) joins that item's text, so a step keeps everything it says;
* ``dl``: each term and its description become one paragraph ("AL-101 Low suction pressure:
  PT-101 below 0.8 bar(g) ..."), so an alarm is never answered with its title alone;
* tables keep their cells; ``rowspan`` and ``colspan`` repeat or pad cells so every row has every
  column; a ``caption`` becomes the paragraph just before its table (the table's intro), and a
  ``figcaption`` a paragraph of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Final

from edge.knowledge.records import Block

_SKIP: Final = {"script", "style", "head", "nav", "footer", "template", "noscript", "svg"}
"""Not text for a technician; an inline drawing's labels ("A", "B", "BR1") read as nonsense."""
_HEADINGS: Final = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BREAKS: Final = {
    "p",
    "div",
    "section",
    "article",
    "br",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "aside",
    "header",
    "main",
    "dl",
}


_INLINE_IN_DESCRIPTION: Final = frozenset({"p", "div", "br"})
"""Breaks that stay inside a definition's description (Asciidoctor wraps each in a ``p``)."""


@dataclass
class _List:
    tag: str
    items: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    """Text of the item being read, including lists nested in it."""


@dataclass
class _Table:
    rows: list[tuple[str, ...]] = field(default_factory=list)
    row: list[str] | None = None
    caption: str = ""
    spans: dict[int, tuple[int, str]] = field(default_factory=dict)
    """Column -> (rows still covered, text) of cells with a rowspan."""
    cell: tuple[int, int] = (1, 1)
    """(colspan, rowspan) of the cell being read."""


def _span(value: str | None) -> int:
    return max(1, min(int(value), 100)) if value and value.strip().isdigit() else 1


class _Collector(HTMLParser):
    """Accumulates text and emits a block whenever a structural element closes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._text: list[str] = []
        self._skip = 0
        self._in_title = False
        self._lists: list[_List] = []
        self._table: _Table | None = None
        self._caption = False
        self._heading: int | None = None
        self._term = ""
        self._in_description = 0
        """Depth of ``dd`` elements being read: their paragraphs are one description."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIP:
            self._skip += 1
            return
        table = self._table
        if tag in _HEADINGS:
            self._flush()
            self._heading = _HEADINGS[tag]
        elif tag in ("ol", "ul"):
            if self._lists:
                self._lists[-1].pending.append(self._take())
            else:
                self._flush()
            self._lists.append(_List(tag))
        elif tag == "li":
            self._end_item()
        elif tag == "table" and table is None:
            self._flush()
            self._table = _Table()
        elif tag == "caption" and table is not None:
            self._text = []
            self._caption = True
        elif tag == "tr" and table is not None:
            table.row = []
            self._fill_spans(table)
        elif tag in ("td", "th") and table is not None:
            self._text = []
            named = dict(attrs)
            table.cell = (_span(named.get("colspan")), _span(named.get("rowspan")))
        elif tag == "dt":
            self._flush()
        elif tag == "dd":
            self._term = self._term or self._take()
            self._in_description += 1
        elif self._in_description and tag in _INLINE_IN_DESCRIPTION:
            self._text.append(" ")  # "<dd><p>High-set earth-fault stage ...</p></dd>"
        elif tag in _BREAKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        table = self._table
        if tag in _HEADINGS and self._heading is not None:
            text = self._take()
            if text:
                self.blocks.append(Block("heading", text, level=self._heading))
            self._heading = None
        elif tag == "li":
            self._end_item()
        elif tag in ("ol", "ul") and self._lists:
            self._end_item()
            done = self._lists.pop()
            if self._lists:
                self._lists[-1].pending.append(_joined(done.items))
            elif done.items:
                items = tuple(done.items)
                self.blocks.append(Block("steps" if done.tag == "ol" else "list", items=items))
        elif tag == "caption" and table is not None:
            table.caption = self._take()
            self._caption = False
        elif tag in ("td", "th") and table is not None and table.row is not None:
            self._cell(table, self._take())
        elif tag == "tr" and table is not None and table.row is not None:
            self._fill_spans(table)
            if any(table.row):
                table.rows.append(tuple(table.row))
            table.row = None
        elif tag == "table" and table is not None:
            self._end_table(table)
        elif tag == "dt":
            self._term = self._take()
        elif tag == "dd":
            self._in_description = max(0, self._in_description - 1)
            text = self._take()
            term = self._term.rstrip(":")
            self._term = ""
            if term or text:
                joined = f"{term}: {text}" if term and text else term or text
                self.blocks.append(Block("paragraph", joined))
        elif self._in_description and tag in _INLINE_IN_DESCRIPTION:
            self._text.append(" ")
        elif tag in _BREAKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip:
            return
        self._text.append(data)

    def _take(self) -> str:
        text = " ".join("".join(self._text).split())
        self._text = []
        return text

    # -- lists ------------------------------------------------------------------------------------

    def _end_item(self) -> None:
        if not self._lists:
            return
        current = self._lists[-1]
        text = " ".join(t for t in (*current.pending, self._take()) if t)
        current.pending = []
        if text:
            current.items.append(text)

    # -- tables -----------------------------------------------------------------------------------

    @staticmethod
    def _fill_spans(table: _Table) -> None:
        """Put the text of cells spanning down from earlier rows into the current row."""
        row = table.row
        if row is None:
            return
        while len(row) in table.spans:
            col = len(row)
            left, text = table.spans[col]
            row.append(text)
            if left <= 1:
                del table.spans[col]
            else:
                table.spans[col] = (left - 1, text)

    def _cell(self, table: _Table, text: str) -> None:
        row = table.row
        assert row is not None
        self._fill_spans(table)
        colspan, rowspan = table.cell
        for k in range(colspan):
            if rowspan > 1:
                table.spans[len(row)] = (rowspan - 1, text if k == 0 else "")
            row.append(text if k == 0 else "")
        table.cell = (1, 1)

    def _end_table(self, table: _Table) -> None:
        self._table = None
        if table.caption:
            self.blocks.append(Block("paragraph", table.caption))
        if table.rows:
            width = max(len(r) for r in table.rows)
            rows = tuple(r + ("",) * (width - len(r)) for r in table.rows)
            self.blocks.append(Block("table", rows=rows))

    # -- paragraphs -------------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._table is not None or self._heading is not None or self._caption:
            return  # text inside a table cell or a heading belongs to it
        if self._lists:
            # A paragraph inside a list item is part of that item.
            self._lists[-1].pending.append(self._take())
            return
        text = self._take()
        if text:
            self.blocks.append(Block("paragraph", text))

    def close(self) -> None:
        super().close()
        while self._lists:
            self.handle_endtag(self._lists[-1].tag)
        if self._table is not None:
            self._end_table(self._table)
        self._flush()


def _joined(items: list[str]) -> str:
    """Items of a nested list as one run of text: "a; b; c."."""
    out = ""
    for item in items:
        if out:
            out += " " if out.endswith((".", ";", ":", "!", "?")) else "; "
        out += item
    return out


def parse_html(source: str) -> tuple[str, list[Block]]:
    """Blocks of an HTML document, and its ``<title>`` (empty when none)."""
    collector = _Collector()
    collector.feed(source)
    collector.close()
    return " ".join(collector.title.split()), collector.blocks
