"""One build path, run every way: in one process or two, from scratch or from the previous build after a
change — the same bytes as each other and as pyoxigraph's own writers on the loader's graphs."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from pathlib import Path

import pytest
import pyoxigraph as ox
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Store

from cardf import build, export
from cardf.build import reader
from cardf.build.agreement import agreement
from cardf.build.check import project_triples
from cardf.build.project import Project
from cardf.shacl import load_shapes, validate_with_pyshacl
from cardf.errors import InputError, NotConforming
from cardf.iris import Minter
from cardf.mapping import map_corpus
from cardf.ontology import build_context, load_ontology_quads
from cardf.sources import load_corpus, load_vocabulary

from conftest import DATA, ONTOLOGY, ROOT, SHAPES, edit

FILES = ["cardf.jsonld", "cardf.nq", "cardf.nt", "cardf.trig", "cardf.ttl", "ontology.ttl"]


def settings(data: Path, out: Path, **kw) -> build.Settings:
    return build.Settings(data=data, out=out, ontology=ONTOLOGY, shapes=SHAPES, base="https://w3id.org/cardf/", **kw)


def generate(out: Path, articles: int, seed: int = 5, errors: float = 0.0) -> Path:
    spec = importlib.util.spec_from_file_location("cardf_bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Corpus(articles, seed=seed, errors=errors).write(out)
    return out


def writer_outputs(data: Path) -> dict[str, bytes]:
    """The files the reference writers make of the reference loader's graphs (no validation)."""
    minter = Minter()
    ontology = load_ontology_quads(ONTOLOGY)
    corpus = load_corpus(data, load_vocabulary(ONTOLOGY))
    mapped = map_corpus(corpus, minter)
    quads = [ox.Quad(t.subject, t.predicate, t.object, mapped.entities_graph) for t in mapped.entities]
    quads += [ox.Quad(t.subject, t.predicate, t.object, mapped.shared_graph) for t in mapped.shared]
    for a in mapped.articles:
        quads += [ox.Quad(t.subject, t.predicate, t.object, a.graph) for t in a.triples]
    # the agreement graph, from every article's reports and the graphs of the articles that define them
    defined = {r.id: (a.slug, r.kind) for a in corpus.articles for r in a.defined}
    graphs = {a.slug: ox.serialize([ox.Quad(t.subject, t.predicate, t.object, a.graph) for t in a.triples],
                                   format=ox.RdfFormat.N_QUADS) for a in mapped.articles}
    computed = agreement([r for a in mapped.articles for r in a.reported], lambda rid: defined[rid][0],
                         lambda rid: minter.resource(defined[rid][1].segment, rid), graphs.get, minter)
    quads += [ox.Quad(t.subject, t.predicate, t.object, minter.agreement_graph()) for t in computed]
    quads += [ox.Quad(t.subject, t.predicate, t.object, minter.ontology_graph()) for t in ontology]
    quads = export.sort_quads(quads)
    union = export.sort_triples(q.triple for q in quads)
    prefixes = minter.prefixes()
    return {"cardf.ttl": export.write_triples(union, "ttl", prefixes),
            "cardf.nt": export.write_triples(union, "nt", prefixes),
            "cardf.jsonld": export.write_jsonld(union, build_context(ontology, minter)),
            "cardf.trig": export.write_quads(quads, "trig", prefixes),
            "cardf.nq": export.write_quads(quads, "nq", prefixes),
            "ontology.ttl": export.write_triples(export.sort_triples(ontology), "ttl", prefixes)}


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES + ["report.json"]}


def store_content(path: Path) -> set:
    dataset = Dataset(Store.read_only(str(path)))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)  # blank node labels are the store's own
    return set(dataset)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("corpus") / "data", 40)


def test_seed_build_is_what_pyoxigraph_writes_of_the_loaders_graphs(tmp_path):
    fast = build.run(settings(DATA, tmp_path / "fast"))
    reference = build.run(settings(DATA, tmp_path / "reference"), workers=1, cache=False)
    expected = writer_outputs(DATA)
    for name in FILES:
        assert (tmp_path / "fast" / name).read_bytes() == expected[name], name
    assert outputs(tmp_path / "fast") == outputs(tmp_path / "reference")
    assert fast.summary == reference.summary
    assert store_content(tmp_path / "fast" / "store") == store_content(tmp_path / "reference" / "store")


def test_two_workers_give_the_bytes_of_one_process(tmp_path, corpus, monkeypatch):
    serial = build.run(settings(corpus, tmp_path / "serial"), workers=1)
    monkeypatch.setattr(reader, "PARALLEL_MIN", 10)
    parallel = build.run(settings(corpus, tmp_path / "parallel"))
    expected = writer_outputs(corpus)
    for name in FILES:
        assert (tmp_path / "parallel" / name).read_bytes() == expected[name], name
    assert outputs(tmp_path / "parallel") == outputs(tmp_path / "serial")
    assert parallel.summary == serial.summary
    assert not any(p.name.startswith(".parallel.pieces") for p in tmp_path.iterdir())


def test_every_triple_is_in_one_graph_only(tmp_path, corpus):
    """Periods and relationships many articles name are described once, in the shared graph: stores
    that union their graphs without removing duplicates (Oxigraph, Virtuoso) then count them once."""
    build.run(settings(corpus, tmp_path / "dist"))
    graphs_of: dict = {}
    for q in ox.parse(path=str(tmp_path / "dist" / "cardf.nq")):
        graphs_of.setdefault(q.triple, []).append(q.graph_name.value)
    assert {t: g for t, g in graphs_of.items() if len(g) > 1} == {}
    shared = {t.subject.value.split("/id/")[1].split("/")[0] for t, g in graphs_of.items()
              if g == ["https://w3id.org/cardf/graph/shared"]}
    assert shared == {"interval", "relationship"}
    store = Store.read_only(str(tmp_path / "dist" / "store"))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/cardf/ontology#Period> }"
    counted = next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value
    periods = {t.subject for t in graphs_of if t.object == ox.NamedNode("https://w3id.org/cardf/ontology#Period")
               and t.predicate.value.endswith("#type")}
    assert int(counted) == len(periods) > 1


def test_only_some_formats_and_no_store(tmp_path, corpus):
    build.run(settings(corpus, tmp_path / "some", formats=("ttl", "jsonld"), store=False))
    expected = writer_outputs(corpus)
    assert sorted(p.name for p in (tmp_path / "some").iterdir()) == \
        [".cardf-build", "cardf.jsonld", "cardf.ttl", "ontology.ttl", "report.json"]
    assert (tmp_path / "some" / "cardf.ttl").read_bytes() == expected["cardf.ttl"]


def test_a_corpus_with_faults_is_reported_as_pyshacl_reports_it(tmp_path):
    """Every finding, with the facts.yaml line it points back at, as pySHACL gives it on the same data."""
    data = generate(tmp_path / "data", 24, seed=11, errors=0.5)
    with pytest.raises(NotConforming) as fast:
        build.run(settings(data, tmp_path / "fast"))
    project = Project(settings(data, tmp_path / "unused"))
    triples, origins = project_triples(project)
    reference = validate_with_pyshacl(triples, load_shapes(project.settings.shape_files()), project.ontology, origins)
    findings = [f.__dict__ for f in fast.value.report.findings if f.constraint != "IdentityCheck"]  # not SHACL
    assert findings == [f.__dict__ for f in reference.findings]
    assert fast.value.report.violations > 0 and any(f["line"] for f in findings)
    assert not (tmp_path / "fast").exists()


# ----------------------------------------------------------------------------- from the previous build

def copy(corpus: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(corpus, data)
    old = time.time() - 3600  # files written now could not be told from a change in the same clock tick
    for p in data.rglob("*"):
        os.utime(p, (old, old))
    return data


def rebuild_and_compare(data: Path, tmp_path: Path, expect_incremental: bool = True):
    """Build again into dist (from its previous build) and from scratch into clean: the same, byte for byte."""
    again = build.run(settings(data, tmp_path / "dist"))
    assert bool(again.timings.get("incremental") or again.timings.get("unchanged")) == expect_incremental
    clean_out = tmp_path / "clean"
    shutil.rmtree(clean_out, ignore_errors=True)
    clean = build.run(settings(data, clean_out))
    assert outputs(tmp_path / "dist") == outputs(clean_out)
    assert again.summary == clean.summary
    assert [f.__dict__ for f in again.report.findings] == [f.__dict__ for f in clean.report.findings]
    assert store_content(tmp_path / "dist" / "store") == store_content(clean_out / "store")
    shutil.rmtree(clean_out)
    return again


def articles(data: Path) -> list[Path]:
    return sorted((data / "articles").iterdir())


def outputs_stat(out: Path) -> dict:
    """The output files' modification times."""
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}


def test_an_unchanged_corpus_is_not_built_again(tmp_path, corpus):
    data = copy(corpus, tmp_path)
    build.run(settings(data, tmp_path / "dist"))
    before = outputs_stat(tmp_path / "dist")
    for p in data.rglob("*.yaml"):
        os.utime(p)  # touched, not changed
    again = rebuild_and_compare(data, tmp_path)
    assert again.timings.get("unchanged")
    assert outputs_stat(tmp_path / "dist") == before


def test_nothing_changed_is_told_without_reading_the_index(tmp_path, corpus, monkeypatch):
    """The stamp and the articles' stat tell it, at any corpus size; a touched file costs one slower look."""
    from cardf.build import previous

    data = copy(corpus, tmp_path)
    first = build.run(settings(data, tmp_path / "dist"))
    before = outputs_stat(tmp_path / "dist")
    real_load = previous._load_index

    def no_index(settings):
        raise AssertionError("the index was read")

    monkeypatch.setattr(previous, "_load_index", no_index)
    again = build.run(settings(data, tmp_path / "dist"))
    assert again.timings.get("unchanged") and "incremental" not in again.timings
    assert again.summary == first.summary
    assert [f.__dict__ for f in again.report.findings] == [f.__dict__ for f in first.report.findings]
    assert outputs_stat(tmp_path / "dist") == before

    touched = articles(data)[0] / "facts.yaml"
    old = time.time() - 1800
    os.utime(touched, (old, old))  # the stat differs, the bytes do not: the index's digests tell
    with pytest.raises(AssertionError, match="the index was read"):
        build.run(settings(data, tmp_path / "dist"))
    monkeypatch.setattr(previous, "_load_index", real_load)
    assert build.run(settings(data, tmp_path / "dist")).timings.get("unchanged")
    monkeypatch.setattr(previous, "_load_index", no_index)
    assert build.run(settings(data, tmp_path / "dist")).timings.get("unchanged")  # recorded: by stat again

    edit(touched, "\n", "\n# an edit\n")
    os.utime(touched, (old, old + 1))
    with pytest.raises(AssertionError, match="the index was read"):
        build.run(settings(data, tmp_path / "dist"))
    gone = articles(data)[1]
    shutil.rmtree(gone)
    monkeypatch.setattr(previous, "_load_index", real_load)
    assert not build.run(settings(data, tmp_path / "dist")).timings.get("unchanged")


@pytest.mark.parametrize("change", ["text", "record", "new-article", "removed-article", "date-elsewhere",
                                    "new-period", "report-value", "reported-record"])
def test_a_changed_article_rebuilds_from_the_previous_build(tmp_path, corpus, change):
    data = copy(corpus, tmp_path)
    build.run(settings(data, tmp_path / "dist"))
    folders = articles(data)
    target = folders[len(folders) // 2]
    facts = target / "facts.yaml"
    if change == "text":
        edit(facts, "Outcome of the talks", "Results of the talks")
    elif change == "record":
        text = facts.read_text(encoding="utf-8")
        text += ("opinions:\n" if "\nopinions:" not in text else "") + \
            f"  - id: opinion-extra-{target.name[-5:]}\n    content: {{ru: Дополнение., en: An addition.}}\n" \
            f"    evidence: {json.dumps(article_sentence(target), ensure_ascii=False)}\n"
        facts.write_text(text, encoding="utf-8")
    elif change == "new-article":
        source = next(f for f in reversed(folders) if "\nevents:" not in (f / "facts.yaml").read_text(encoding="utf-8"))
        new = data / "articles" / (source.name[:-5] + "99999")
        shutil.copytree(source, new)
        text = (new / "facts.yaml").read_text(encoding="utf-8").replace(source.name, new.name)
        for rid in ("statement", "quote", "figure", "document", "commitment", "opinion", "document-set",
                    "decision", "relationship", "claim", "source"):
            text = text.replace(f"id: {rid}-", f"id: {rid}-x")
            text = text.replace(f"stated_in: {rid}-", f"stated_in: {rid}-x")
            text = text.replace(f"conflicts_with: [{rid}-", f"conflicts_with: [{rid}-x")
        (new / "facts.yaml").write_text(text, encoding="utf-8")
    elif change == "new-period":  # a period no other article names: the shared graph changes too
        owner = next(f for f in folders if "\n    period: " in (f / "facts.yaml").read_text(encoding="utf-8"))
        text = (owner / "facts.yaml").read_text(encoding="utf-8")
        at = text.index("\n    period: ") + len("\n    period: ")
        end = text.index("\n", at)
        (owner / "facts.yaml").write_text(text[:at] + '"2041"' + text[end:], encoding="utf-8")
        again = rebuild_and_compare(data, tmp_path)
        shared = {q.triple for q in ox.parse(path=str(tmp_path / "dist" / "cardf.nq"))
                  if q.graph_name == ox.NamedNode("https://w3id.org/cardf/graph/shared")}
        assert ox.Triple(ox.NamedNode("https://w3id.org/cardf/id/interval/2041"),
                         ox.NamedNode("https://w3id.org/cardf/ontology#startDate"),
                         ox.Literal("2041", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))) in shared
        assert again.timings.get("incremental")
        return
    elif change == "report-value":  # a report now gives another end date: a disagreement comes or goes
        reporter = next(f for f in folders if "\n  - report: " in (f / "facts.yaml").read_text(encoding="utf-8"))
        text = (reporter / "facts.yaml").read_text(encoding="utf-8")
        at = text.index("\n  - report: ")
        start = text.index("start: \"", at) + len("start: \"")
        (reporter / "facts.yaml").write_text(text[:start] + "2031" + text[start + 4:], encoding="utf-8")
        again = rebuild_and_compare(data, tmp_path)
        assert again.timings.get("incremental")
        return
    elif change == "reported-record":  # the defining article changes a value its reporters give too
        reporter = next(f for f in folders if "\n  - report: " in (f / "facts.yaml").read_text(encoding="utf-8"))
        reported = (reporter / "facts.yaml").read_text(encoding="utf-8").split("\n  - report: ")[1].split("\n")[0]
        owner = next(f for f in folders if f"\n  - id: {reported}\n" in (f / "facts.yaml").read_text(encoding="utf-8"))
        text = (owner / "facts.yaml").read_text(encoding="utf-8")
        at = text.index(f"\n  - id: {reported}\n")
        place = text.index("places: [", at) + len("places: [")
        (owner / "facts.yaml").write_text(text[:place] + "moscow, " + text[place:], encoding="utf-8")
        again = rebuild_and_compare(data, tmp_path)
        assert again.timings.get("incremental")
        return
    elif change == "removed-article":
        unreferenced = [f for f in folders if "events:" not in (f / "facts.yaml").read_text(encoding="utf-8")]
        shutil.rmtree(unreferenced[0])
    elif change == "date-elsewhere":  # an event other articles report on moves: their dates fall outside it
        owner = next(f for f in folders if "\nevents:" in (f / "facts.yaml").read_text(encoding="utf-8"))
        text = (owner / "facts.yaml").read_text(encoding="utf-8")
        start = text.index("start: \"") + len("start: \"")
        year = int(text[start:start + 4])
        (owner / "facts.yaml").write_text(text[:start] + str(year + 1) + text[start + 4:], encoding="utf-8")
        with pytest.raises(NotConforming) as failed:
            build.run(settings(data, tmp_path / "dist"))
        with pytest.raises(NotConforming) as clean:
            build.run(settings(data, tmp_path / "clean"))
        assert [f.__dict__ for f in failed.value.report.findings] == \
            [f.__dict__ for f in clean.value.report.findings]
        assert failed.value.report.violations > 0
        return
    rebuild_and_compare(data, tmp_path)


def article_sentence(folder: Path) -> str:
    return (folder / "article.txt").read_text(encoding="utf-8").split("\n")[0]


def test_a_change_to_the_shapes_builds_everything_again(tmp_path, corpus):
    data = copy(corpus, tmp_path)
    shapes = tmp_path / "shapes"
    shutil.copytree(SHAPES, shapes)
    first = build.run(build.Settings(data=data, out=tmp_path / "dist", ontology=ONTOLOGY, shapes=shapes,
                                     base="https://w3id.org/cardf/"))
    assert "incremental" not in first.timings
    (shapes / "cardf-shapes.ttl").write_text((shapes / "cardf-shapes.ttl").read_text() + "\n# changed\n")
    again = build.run(build.Settings(data=data, out=tmp_path / "dist", ontology=ONTOLOGY, shapes=shapes,
                                     base="https://w3id.org/cardf/"))
    assert "incremental" not in again.timings and "unchanged" not in again.timings


def test_a_problem_in_a_changed_article_is_reported_as_by_the_loader(tmp_path, corpus):
    data = copy(corpus, tmp_path)
    build.run(settings(data, tmp_path / "dist"))
    facts = articles(data)[3] / "facts.yaml"
    edit(facts, "genre: analysis", "genre: poetry")
    with pytest.raises(InputError) as fast:
        build.run(settings(data, tmp_path / "dist"))
    with pytest.raises(InputError) as reference:
        load_corpus(data, load_vocabulary(ONTOLOGY))
    assert [str(p) for p in fast.value.problems] == [str(p) for p in reference.value.problems]


def test_the_store_loaded_in_slices_keeps_each_blank_node_one_node(tmp_path, monkeypatch):
    """The bulk loader names blank nodes afresh at each call: slices end where a graph ends."""
    from cardf.build import assemble

    monkeypatch.setattr(assemble, "STORE_SLICE", 2000)  # far smaller than the ontology graph's lists
    out = tmp_path / "out"
    build.run(settings(DATA, out))
    in_file = Dataset(ox.parse(path=str(out / "cardf.nq"), format=ox.RdfFormat.N_QUADS))
    blanks = {t for q in in_file for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    store = Store.read_only(str(out / "store"))
    found = {t for q in store for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert blanks and len(found) == len(blanks)
    assert len(store) == len(in_file)
