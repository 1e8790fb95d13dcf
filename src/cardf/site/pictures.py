"""Where people would rather look than read: the timeline, who met whom, and the figures per country."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations

from pyoxigraph import Literal, NamedNode

from ..iris import ONT
from .markup import Linker, esc, kind_badge, literal, pair, plain, shell, slug_words
from .model import Model

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def when(lit: Literal | None) -> str:
    """2025-10-08 → 8 October 2025; 2025-11 → November 2025; 2025 → 2025."""
    if lit is None:
        return ""
    parts = lit.value.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2][:2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return lit.value


def start_of(model: Model, iri: str) -> Literal | None:
    for p in (ONT + "startDate", ONT + "date"):
        found = model.first(iri, p)
        if isinstance(found, Literal):
            return found
    return None


def timeline(model: Model) -> str:
    """Every event, by its start; sub-events under the event they are part of; dates known only as words as words."""
    root = "../"
    linker = Linker.at(model, root)
    events = [iri for iri, page in model.pages.items() if page.startswith("id/event/")]
    known = set(events)
    children: dict[str | None, list[str]] = defaultdict(list)
    for e in events:
        parents = [o.value for o in model.values(e, ONT + "partOf") if isinstance(o, NamedNode) and o.value in known]
        children[parents[0] if parents else None].append(e)

    def order(e: str) -> tuple:
        start = start_of(model, e)
        return (start is None, start.value if start is not None else "", plain(model.labels(e)), e)

    def items(parent: str | None, depth: int) -> str:
        out = []
        for e in sorted(children.get(parent, []), key=order):
            start, end = start_of(model, e), model.first(e, ONT + "endDate")
            if start is not None:
                span = when(start) + (f" – {when(end)}" if isinstance(end, Literal) and end.value != start.value
                                      else "")
                stamp = f'<span class="when" data-start="{esc(start.value)}">{esc(span)}</span>'
            else:
                words = model.first(e, ONT + "dateText")
                text = ({words.language or "": words.value} if isinstance(words, Literal) else {})
                for w in model.values(e, ONT + "dateText"):
                    if isinstance(w, Literal):
                        text.setdefault(w.language or "", w.value)
                stamp = f'<span class="when text">{pair(text, "date not given")}</span>'
            kind = model.first(e, ONT + "eventType")
            what = f' <span class="muted">{linker.label(kind.value)}</span>' if isinstance(kind, NamedNode) else ""
            places = [linker.link(o.value) for o in model.values(e, ONT + "location") if isinstance(o, NamedNode)]
            where = f' <span class="muted">· {", ".join(places)}</span>' if places else ""
            inner = items(e, depth + 1) if depth < 20 else ""
            attr = f' data-start="{esc(start.value)}"' if start is not None else ""
            out.append(f'<li class="event" data-iri="{esc(e)}"{attr}>{stamp} {linker.link(e)}{what}{where}{inner}</li>')
        return f"<ol>{''.join(out)}</ol>" if out else ""

    dated = sum(1 for e in events if start_of(model, e) is not None)
    body = (f"<h1>Timeline</h1><p class=muted>{len(events)} events, {dated} with a date; the rest are placed by "
            f"the words the article uses for their time. Events that are part of another are listed under it.</p>"
            f'<div class="timeline" id="timeline">{items(None, 0)}</div>')
    return shell(root, "Timeline — cardf", body)


def participants(model: Model, event: str) -> set[str]:
    found = {o.value for o in model.values(event, ONT + "participant") if isinstance(o, NamedNode)}
    for node in model.values(event, ONT + "hasParticipation"):
        found |= {o.value for o in model.values(node.value, ONT + "agent") if isinstance(o, NamedNode)}
    return {p for p in found if p in model.pages and model.pages[p].startswith("id/person/")}


def network(model: Model) -> str:
    """Who met whom: people who took part in one event, joined by a line as thick as their meetings are many."""
    root = "../"
    linker = Linker.at(model, root)
    meetings: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e, page in model.pages.items():
        if page.startswith("id/event/"):
            for a, b in combinations(sorted(participants(model, e)), 2):
                meetings[(a, b)].append(e)
    people = sorted({p for pair in meetings for p in pair}, key=lambda p: (plain(model.labels(p), p), p))
    n = len(people)
    radius = max(160, 28 * n)
    size = 2 * radius + 320
    centre = size / 2
    at = {p: (centre + radius * math.cos(2 * math.pi * i / max(n, 1) - math.pi / 2),
              centre + radius * math.sin(2 * math.pi * i / max(n, 1) - math.pi / 2)) for i, p in enumerate(people)}
    lines, dots = [], []
    for (a, b), events in sorted(meetings.items()):
        (x1, y1), (x2, y2) = at[a], at[b]
        title = f"{plain(model.labels(a), a)} and {plain(model.labels(b), b)}: {len(events)} event(s)"
        lines.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#5b7ea6" '
                     f'stroke-opacity="0.55" stroke-width="{min(1.5 + 1.5 * (len(events) - 1), 9):.1f}">'
                     f'<title>{esc(title)}</title></line>')
    for i, p in enumerate(people):
        x, y = at[p]
        angle = 2 * math.pi * i / max(n, 1) - math.pi / 2
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        lx, ly = x + 14 * math.cos(angle), y + 14 * math.sin(angle) + 5
        href = linker.href(p) or "#"
        dots.append(f'<a href="{esc(href)}"><circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#1f4e79"/>'
                    f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="14" '
                    f'font-family="Arial, \'Liberation Sans\', Helvetica, sans-serif" fill="#1d2733">'
                    f'{esc(plain(model.labels(p), slug_words(p)))}</text></a>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:.0f}" height="{size:.0f}" '
           f'viewBox="0 0 {size:.0f} {size:.0f}" role="img" aria-label="Who met whom">'
           f'{"".join(lines)}{"".join(dots)}</svg>')
    rows = "".join(f"<tr><td>{linker.link(a)}</td><td>{linker.link(b)}</td>"
                   f"<td>{', '.join(linker.link(e) for e in sorted(events))}</td></tr>"
                   for (a, b), events in sorted(meetings.items()))
    body = (f"<h1>Who met whom</h1><p class=muted>{n} people who took part in the same events; a line joins two "
            f"people for every event they both took part in (thicker: more events). Click a name for the person's "
            f"page.</p><figure class=net>{svg}</figure><h2>The meetings</h2>"
            f'<table class="grid"><tr><th>who</th><th>with whom</th><th>at</th></tr>{rows}</table>')
    return shell(root, "Who met whom — cardf", body)


def figures(model: Model) -> str:
    """Every figure, under each state it is about (from, to, or about)."""
    root = "../"
    linker = Linker.at(model, root)
    by_state: dict[str, list[str]] = defaultdict(list)
    for iri, page in model.pages.items():
        if not page.startswith("id/figure/"):
            continue
        states = set()
        for p in (ONT + "fromAgent", ONT + "toAgent", ONT + "about", ONT + "concerns"):
            states |= {o.value for o in model.values(iri, p) if isinstance(o, NamedNode)
                       and model.pages.get(o.value, "").startswith("id/state/")}
        for s in states or {""}:
            by_state[s].append(iri)
    sections = []
    for state in sorted(by_state, key=lambda s: (s == "", plain(model.labels(s), s) if s else "")):
        rows = []
        for f in sorted(by_state[state]):
            amount = model.first(f, ONT + "amount")
            unit = [linker.value(o) for p in (ONT + "currency", ONT + "unit") for o in model.values(f, p)]
            value = (literal(amount) if isinstance(amount, Literal) else "") + (" " + " ".join(unit) if unit else "")
            quals = ", ".join(linker.value(o) for o in model.values(f, ONT + "qualifier"))
            cells = [linker.link(f), ", ".join(linker.value(o) for o in model.values(f, ONT + "indicator")),
                     value + (f' <span class="muted">({quals})</span>' if quals else ""),
                     ", ".join(linker.value(o) for o in model.values(f, ONT + "period")),
                     ", ".join(linker.value(o) for o in model.values(f, ONT + "fromAgent")),
                     ", ".join(linker.value(o) for o in model.values(f, ONT + "toAgent")),
                     ", ".join(linker.value(o) for o in model.values(f, ONT + "attributedTo"))]
            rows.append("<tr>" + "".join(f'<td{" class=num" if i == 2 else ""}>{c}</td>'
                                         for i, c in enumerate(cells)) + "</tr>")
        title = linker.link(state) if state else "Not about a state"
        sections.append(f'<h2>{kind_badge("state") if state else ""}{title} <span class="muted">· {len(rows)} '
                        f'figure{"s" if len(rows) != 1 else ""}</span></h2><table class="grid"><tr><th>figure</th>'
                        f"<th>indicator</th><th>value</th><th>period</th><th>from</th><th>to</th><th>stated by</th>"
                        f"</tr>{''.join(rows)}</table>")
    body = ("<h1>Figures per country</h1><p class=muted>Each figure the articles state, under every state it is "
            "about; a figure between two states is listed under both.</p>" + "".join(sections))
    return shell(root, "Figures per country — cardf", body)
