"""HTML manuals to blocks with the stdlib parser: h1-h6, p, ol/ul and tables; scripts dropped."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Final

from edge.knowledge.records import Block

_SKIP: Final = {"script", "style", "head", "nav", "footer", "template", "noscript"}
_HEADINGS: Final = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BREAKS: Final = {"p", "div", "section", "article", "br", "blockquote", "pre", "dd", "dt"}


class _Collector(HTMLParser):
    """Accumulates text and emits a block whenever a structural element closes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._text: list[str] = []
        self._skip = 0
        self._in_title = False
        self._lists: list[tuple[str, list[str]]] = []
        self._rows: list[tuple[str, ...]] | None = None
        self._row: list[str] | None = None
        self._heading: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIP:
            self._skip += 1
            return
        if tag in _HEADINGS:
            self._flush()
            self._heading = _HEADINGS[tag]
        elif tag in ("ol", "ul"):
            self._flush()
            self._lists.append((tag, []))
        elif tag == "li":
            self._flush_item()
        elif tag == "table":
            self._flush()
            self._rows = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._text = []
        elif tag in _BREAKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _HEADINGS and self._heading is not None:
            text = self._take()
            if text:
                self.blocks.append(Block("heading", text, level=self._heading))
            self._heading = None
        elif tag == "li":
            self._flush_item()
        elif tag in ("ol", "ul") and self._lists:
            self._flush_item()
            kind, items = self._lists.pop()
            if items:
                self.blocks.append(Block("steps" if kind == "ol" else "list", items=tuple(items)))
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._take())
        elif tag == "tr" and self._row is not None and self._rows is not None:
            if any(self._row):
                self._rows.append(tuple(self._row))
            self._row = None
        elif tag == "table" and self._rows is not None:
            if self._rows:
                width = max(len(r) for r in self._rows)
                rows = tuple(r + ("",) * (width - len(r)) for r in self._rows)
                self.blocks.append(Block("table", rows=rows))
            self._rows = None
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

    def _flush_item(self) -> None:
        if self._lists:
            text = self._take()
            if text:
                self._lists[-1][1].append(text)

    def _flush(self) -> None:
        if self._rows is not None or self._heading is not None:
            return  # text inside a table cell or a heading belongs to it
        if self._lists:
            self._flush_item()
            return
        text = self._take()
        if text:
            self.blocks.append(Block("paragraph", text))

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(source: str) -> tuple[str, list[Block]]:
    """Blocks of an HTML document, and its ``<title>`` (empty when none)."""
    collector = _Collector()
    collector.feed(source)
    collector.close()
    return " ".join(collector.title.split()), collector.blocks
