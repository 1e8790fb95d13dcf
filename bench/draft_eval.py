"""How good is `cardf draft`? Draft the seed article from its text alone and score the draft against
the curated facts.yaml.

    python bench/draft_eval.py            # prints the table; writes bench/results/draft/seed.json
    make bench-draft

The seed article is put into a fresh data folder with `cardf new` (its text, date, publisher and
author, as a curator would start), drafted with `cardf draft`, and facts.draft.yaml is compared
with data/articles/<seed>/facts.yaml:

- entity links: the entities the draft links (its `mentions`) against the entities the curated
  records refer to (the article's author and publisher, given to `cardf new`, left out of both);
  a right link to an entity that no curated record names counts against precision;
- figures: a curated figure is found when a drafted one has the same value, the same currency
  or unit and the same qualifiers;
- dates: the curated events' start and end, the figures' periods and the cited sources' dates,
  against the dates and periods the draft normalised;
- quotations: a curated quotation is found when a drafted one has the same words (or one holds
  the other) and the same speaker(s) — for a quotation with no speaker in the registry, none;
- events: a curated event is found when a drafted one has the same type and evidence that
  overlaps the curated evidence in the article.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = "interaffairs-2025-12-04-russia-central-asia"
RESULT = ROOT / "bench" / "results" / "draft" / "seed.json"
TARGETS = {"figures": ("recall", 0.90), "quotations": ("recall", 0.90), "entity links": ("precision", 0.95),
           "entity links ": ("recall", 0.90), "events": ("recall", 0.70)}
ENTITY_SECTIONS = ("states", "persons", "offices", "organizations", "places")


def draft_seed(data: Path, work: Path) -> tuple[dict, str]:
    """The seed drafted from scratch in a copy of the registry, as facts.draft.yaml's data."""
    copy = work / "data"
    (copy / "articles").mkdir(parents=True)
    shutil.copy(data / "entities.yaml", copy / "entities.yaml")
    cardf = [sys.executable, "-m", "cardf"]
    text = data / "articles" / SEED / "article.txt"
    subprocess.run(cardf + ["new", SEED, "--text", str(text), "--data", str(copy), "--quiet",
                            "--published", "2025-12-04T13:01:00+03:00", "--publisher", "international-affairs-journal",
                            "--author", "interaffairs-2025-12-04-author"], check=True)
    subprocess.run(cardf + ["draft", SEED, "--data", str(copy), "--quiet"], check=True)
    drafted = (copy / "articles" / SEED / "facts.draft.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(drafted), text.read_text(encoding="utf-8")


def _ids(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [x for v in value for x in _ids(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _ids(v)]
    return []


def _list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _evidence_spans(text: str, evidence) -> list[tuple[int, int]]:
    spans = []
    for item in _list(evidence):
        words, n = (item, 1) if isinstance(item, str) else (item.get("text", ""), item.get("occurrence") or 1)
        at, found = -1, 0
        while found < n:
            at = text.find(words, at + 1)
            if at == -1:
                break
            found += 1
        if at != -1:
            spans.append((at, at + len(words)))
    return spans


def score(draft: dict, gold: dict, entities: dict, text: str) -> dict:
    entity_ids = {e["id"] for section in ENTITY_SECTIONS for e in entities.get(section) or []}
    meta = gold.get("article") or {}
    given = {meta.get("author"), meta.get("publisher")}
    records = [r for section, rs in gold.items() if section != "article" for r in rs or []]
    gold_links = {i for r in records for k, v in r.items() if k != "id" for i in _ids(v) if i in entity_ids} - given
    drafted_links = {m["entity"] for m in draft.get("mentions") or []} - given
    out = {"entity links": {"gold": len(gold_links), "drafted": len(drafted_links),
                            "right": len(gold_links & drafted_links),
                            "missed": sorted(gold_links - drafted_links), "extra": sorted(drafted_links - gold_links)}}

    def figure_key(f):
        qualifiers = tuple(sorted(_list(f.get("qualifiers"))))
        return Decimal(str(f.get("value"))), f.get("currency"), f.get("unit"), qualifiers

    drafted_figures = [figure_key(f) for f in draft.get("figures") or []]
    found, missed = 0, []
    for f in gold.get("figures") or []:
        key = figure_key(f)
        if key in drafted_figures:
            drafted_figures.remove(key)
            found += 1
        else:
            missed.append(f["id"])
    out["figures"] = {"gold": len(gold.get("figures") or []), "drafted": len(draft.get("figures") or []),
                      "right": found, "missed": missed}

    def date_values(period) -> set[str]:
        if isinstance(period, dict):
            return {str(period.get("start")), str(period.get("end"))}
        return {str(period)} if period is not None else set()

    gold_dates = set()
    for e in gold.get("events") or []:
        gold_dates |= date_values(e.get("start")) | date_values(e.get("end"))
    for f in gold.get("figures") or []:
        gold_dates |= date_values(f.get("period"))
    for s in gold.get("sources") or []:
        gold_dates |= date_values(s.get("date"))
    drafted_dates = set()
    for d in draft.get("dates") or []:
        drafted_dates |= set(str(d["value"]).split("/"))
    out["dates"] = {"gold": len(gold_dates), "drafted": len(drafted_dates), "right": len(gold_dates & drafted_dates),
                    "missed": sorted(gold_dates - drafted_dates)}

    def words(q: str) -> str:
        return " ".join(q.split()).strip(" .,!?")

    drafted_quotes = draft.get("quotes") or []
    right, missed, wrong = 0, [], []
    for q in gold.get("quotes") or []:
        match = next((d for d in drafted_quotes if words(d["text"]) == words(q["text"]) or (
            min(len(d["text"]), len(q["text"])) >= 0.8 * max(len(d["text"]), len(q["text"]))
            and (words(d["text"]) in words(q["text"]) or words(q["text"]) in words(d["text"])))), None)
        if match is None:
            missed.append(q["id"])
        elif set(_list(match.get("speaker"))) == set(_list(q.get("speaker"))):
            right += 1
        else:
            wrong.append(q["id"])
    out["quotations"] = {"gold": len(gold.get("quotes") or []), "drafted": len(drafted_quotes), "right": right,
                         "missed": missed, "wrong speaker": wrong}

    drafted_events = [(e["type"], _evidence_spans(text, e.get("evidence"))) for e in draft.get("events") or []]
    right, missed, by_type = 0, [], {}
    for e in gold.get("events") or []:
        spans = _evidence_spans(text, e.get("evidence"))
        hit = any(t == e["type"] and any(a < d and c < b for a, b in spans for c, d in ds) for t, ds in drafted_events)
        by_type.setdefault(e["type"], [0, 0])
        by_type[e["type"]][1] += 1
        if hit:
            right += 1
            by_type[e["type"]][0] += 1
        else:
            missed.append(e["id"])
    gold_events = [(e["type"], _evidence_spans(text, e.get("evidence"))) for e in gold.get("events") or []]
    useful = sum(1 for t, ds in drafted_events if any(
        t == g and any(a < d and c < b for a, b in gs for c, d in ds) for g, gs in gold_events))
    out["events"] = {"gold": len(gold.get("events") or []), "drafted": len(drafted_events), "right": right,
                     "drafted and curated": useful,
                     "missed": missed, "by type": {k: f"{a}/{b}" for k, (a, b) in sorted(by_type.items())}}
    return out


def rows(result: dict) -> list[list[str]]:
    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f} %" if b else "—"

    out = []
    for name, label in (("entity links", "precision"), ("entity links", "recall"), ("figures", "recall"),
                        ("dates", "recall"), ("quotations", "recall"), ("events", "recall"), ("events", "precision")):
        r = dict(result[name])
        if name == "events" and label == "precision":
            r["right"] = r["drafted and curated"]
        of = r["drafted"] if label == "precision" else r["gold"]
        target = next((f"≥ {t:.0%}".replace("%", " %") for k, (m, t) in TARGETS.items()
                       if k.strip() == name and m == label), "—")
        met = "" if target == "—" else ("met" if of and r["right"] / of >= float(target[2:-2]) / 100 else "missed")
        what = {"figures": "value, currency or unit and qualifiers exact", "quotations": "with the right speaker",
                "events": "same type, overlapping evidence", "dates": "normalised value",
                "entity links": "entities referred to by the curated records"}[name]
        out.append([f"{name} ({what})", label, f"{r['right']} / {of}", pct(r["right"], of), target, met])
    return out


def table(result: dict) -> str:
    head = ["measure", "", "right / of", "score", "target", ""]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(result)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--no-write", action="store_true", help="Print only; do not update bench/results/.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cardf-draft-eval-") as work:
        draft, text = draft_seed(args.data, Path(work))
    gold = yaml.safe_load((args.data / "articles" / SEED / "facts.yaml").read_text(encoding="utf-8"))
    entities = yaml.safe_load((args.data / "entities.yaml").read_text(encoding="utf-8"))
    result = score(draft, gold, entities, text)
    print(table(result))
    for name, r in result.items():
        for key in ("missed", "wrong speaker", "extra", "by type"):
            if r.get(key):
                print(f"{name}, {key}: {r[key]}")
    if not args.no_write:
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        RESULT.write_text(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
