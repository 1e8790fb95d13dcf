"""Issue 3: every fact in the built graph is backed by its exact words in the article."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from conftest import DATA, SEED

ONT = "https://w3id.org/cardf/ontology#"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FACT_CLASSES = {"Event", "Document", "DocumentSet", "Decision", "Commitment", "RelationshipStatus", "Figure",
                "Quotation", "Statement", "Opinion", "Claim", "CitedSource"}


def graph(dist) -> dict:
    by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in ox.parse(path=str(dist / "cardf.nt")):
        by_subject[t.subject.value][t.predicate.value].append(t.object)
    return by_subject


def test_every_evidence_span_slices_back_to_its_quoted_words(dist):
    g = graph(dist)
    text = (DATA / "articles" / SEED / "article.txt").read_text(encoding="utf-8")
    spans = [s for s, props in g.items() if any(o.value == ONT + "Evidence" for o in props[RDF_TYPE])]
    assert len(spans) > 150
    for span in spans:
        selectors = [o.value for o in g[span][OA + "hasSelector"]]
        quote = next(s for s in selectors if g[s][OA + "exact"])
        position = next(s for s in selectors if g[s][OA + "start"])
        start, end = int(g[position][OA + "start"][0].value), int(g[position][OA + "end"][0].value)
        exact = g[quote][OA + "exact"][0].value
        assert text[start:end] == exact, span
        assert g[span][OA + "hasSource"][0].value.endswith(f"/article/{SEED}")
        for side, key in ((text[max(0, start - 32):start], "prefix"), (text[end:end + 32], "suffix")):
            if side:
                assert g[quote][OA + key][0].value == side


def test_every_fact_record_has_evidence_and_names_its_article(dist):
    g = graph(dist)
    facts = [s for s, props in g.items() if any(o.value.startswith(ONT) and o.value[len(ONT):] in FACT_CLASSES
                                                 for o in props[RDF_TYPE])]
    import json

    records = json.loads((dist / "report.json").read_text())["records"]
    entity_kinds = {"states", "persons", "offices", "organizations", "places"}
    assert len(facts) == sum(n for kind, n in records.items() if kind not in entity_kinds)
    missing = [s for s in facts if not g[s][ONT + "evidence"]]
    assert missing == []
    assert all(g[s][ONT + "reportedIn"] for s in facts)


def test_every_entity_has_a_russian_and_an_english_label(dist):
    g = graph(dist)
    entity_classes = {ONT + c for c in ("State", "Person", "Office", "Organization", "Place")}
    entities = [s for s, props in g.items() if any(o.value in entity_classes for o in props[RDF_TYPE])]
    import json

    records = json.loads((dist / "report.json").read_text())["records"]
    assert len(entities) == sum(records[k] for k in ("states", "persons", "offices", "organizations", "places"))
    for s in entities:
        langs = {o.language for o in g[s]["http://www.w3.org/2000/01/rdf-schema#label"]}
        assert {"ru", "en"} <= langs, s
