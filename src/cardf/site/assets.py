"""The site's one stylesheet and one script: no fonts, frameworks or anything from elsewhere.

The script does four small things: the ru/en switch (remembered in localStorage), the reader's
panel that lists the records citing the words under the pointer, the target span of a link into
the reader, and the search over the static index. Everything else is plain HTML that works with
scripts off.
"""

from __future__ import annotations

from pathlib import Path

# record kind → (colour, what the legend calls it); entities have no evidence and no colour
KINDS = {
    "event": ("#ffd966", "event"),
    "document": ("#9fdcb4", "document"),
    "document-set": ("#c4ecd2", "set of documents"),
    "decision": ("#a9c4f2", "decision"),
    "commitment": ("#f4b183", "commitment"),
    "relationship": ("#d2bff0", "relationship"),
    "relationship-status": ("#d2bff0", "relationship status"),
    "figure": ("#8fd8e3", "figure"),
    "quote": ("#f6b3cf", "quotation"),
    "statement": ("#d0d4da", "statement"),
    "claim": ("#f28b82", "claim"),
    "disagreement": ("#f8c9c4", "disagreement"),
    "source": ("#e2dc9f", "cited source"),
    "opinion": ("#e8d9f7", "the author's opinion"),
}
OTHER_COLOUR = "#e6e6e6"

HERE = Path(__file__).parent
CSS = (HERE / "site.css").read_text(encoding="utf-8")  # read as text: the same bytes on every system
JS = (HERE / "site.js").read_text(encoding="utf-8")
SPARQL_JS = (HERE / "sparql.js").read_text(encoding="utf-8")
