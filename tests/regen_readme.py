"""Regenerate the README's reference sections from the code, so the docs cannot drift.

    python tests/regen_readme.py        # rewrite the generated sections of README.md

`tests/test_readme.py` fails when README.md differs from what this script would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cardf.cli import main  # noqa: E402
from cardf.schema import ARTICLE_FIELDS, ENTITY_KINDS, EVIDENCE_FIELDS, PARTICIPANT_FIELDS, PERIOD_FIELDS, \
    RECORD_KINDS, Field  # noqa: E402

TYPE_NAMES = {
    "id": "id", "str": "string", "en": "English string", "text": "`{ru: …, en: …}`", "texts": "list of `{ru, en}`",
    "date": "date", "datetime": "date-time or date", "language": "language tag", "qid": "Wikidata id",
    "decimal": "number", "integer": "whole number", "ref": "id",
    "refs": "id or list of ids", "concept": "code", "concepts": "code or list of codes",
    "currency": "ISO 4217 code", "url": "URL", "period": "period", "evidence": "evidence",
    "participants": "list of participants",
}


def _field_row(f: Field) -> str:
    kind = TYPE_NAMES[f.type]
    if f.targets:
        kind += " of " + " / ".join(f.targets)
    if f.scheme:
        kind += f" from `{f.scheme}`"
    predicate = f.curie or "—"
    if f.name == "wikidata":
        predicate = "skos:exactMatch"
    if f.name == "evidence":
        predicate = "cardf:evidence"
    return f"| `{f.name}` | {'yes' if f.required else ''} | {kind} | {predicate} | {f.doc} |"


def _table(fields) -> list[str]:
    return ["| field | required | value | RDF | meaning |", "| --- | --- | --- | --- | --- |"] + \
        [_field_row(f) for f in fields]


def format_reference() -> str:
    out = ["### `entities.yaml`", ""]
    for kind in ENTITY_KINDS:
        out += [f"#### `{kind.name}` — {kind.doc}", "",
                f"Each becomes a `cardf:{kind.cls}` at `…/id/{kind.segment}/<id>`.", ""] + _table(kind.fields) + [""]
    out += ["### `facts.yaml`", "", "#### `article` — the article itself (one mapping)", ""] + _table(ARTICLE_FIELDS)
    out += [""]
    for kind in RECORD_KINDS:
        need = "required" if kind.evidence_required else "optional (a quote's `text` is its evidence)"
        out += [f"#### `{kind.name}` — {kind.doc}", "",
                f"Each becomes a `cardf:{kind.cls}` at `…/id/{kind.segment}/<id>`; evidence is {need}.", ""]
        out += _table(kind.fields) + [""]
    out += ["#### Nested values", "", "A participant (in `participants`):", ""] + _table(PARTICIPANT_FIELDS)
    out += ["", "A period (`period`, `covers`): a single date for a whole year or month, or:", ""]
    out += _table(PERIOD_FIELDS)
    out += ["", "Evidence: a string, a list of strings, or, when the words occur more than once:", ""]
    out += _table(EVIDENCE_FIELDS)
    return "\n".join(out).rstrip() + "\n"


def _commands(group: click.Group, prefix: str):
    ctx = click.Context(group, info_name=prefix)
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def command_reference() -> str:
    out = []
    contexts = {"cardf": click.Context(main, info_name="cardf", help_option_names=["-h", "--help"])}
    for path, command in _commands(main, "cardf"):
        parent, _, name = path.rpartition(" ")
        ctx = click.Context(command, info_name=name, parent=contexts[parent], help_option_names=["-h", "--help"])
        contexts[path] = ctx
        text = command.get_help(ctx)
        out += [f"### `{path}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


MINI = ROOT / "tests" / "fixtures" / "mini"
SEED = "interaffairs-2025-12-04-russia-central-asia"
EXAMPLES = ("figure-russia-kyrgyzstan-trade-2024", "quote-peskov-declaration", "relationship-russia-kazakhstan-upgraded")


def mini_example() -> str:
    out = []
    for rel, lang in (("entities.yaml", "yaml"), ("articles/mini-article/article.txt", "text"),
                      ("articles/mini-article/facts.yaml", "yaml")):
        out += [f"`data/{rel}`:", "", f"```{lang}", (MINI / rel).read_text(encoding="utf-8").rstrip("\n"), "```", ""]
    return "\n".join(out)


def _record_yaml(facts: str, record_id: str) -> str:
    lines = facts.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {record_id}")
    end = start + 1
    while end < len(lines) and lines[end].startswith("    ") or (end < len(lines) and lines[end].strip() == ""
                                                                   and end + 1 < len(lines)
                                                                   and lines[end + 1].startswith("    ")):
        end += 1
    return "\n".join(lines[start:end])


def examples() -> str:
    from pyoxigraph import RdfFormat, serialize

    from cardf.export import sort_triples, used_prefixes
    from cardf.iris import Minter
    from cardf.mapping import map_corpus
    from cardf.sources import load_corpus, load_vocabulary

    import atexit
    import shutil
    import tempfile

    from regen_golden import seed_alone

    scratch = Path(tempfile.mkdtemp(prefix="cardf-readme-"))
    atexit.register(shutil.rmtree, scratch, True)
    data = seed_alone(scratch)  # the seed alone, whatever else data/ holds
    minter = Minter()
    mapped = map_corpus(load_corpus(data, load_vocabulary(ROOT / "ontology")), minter)
    triples = [t for a in mapped.articles for t in a.triples]
    facts = (data / "articles" / SEED / "facts.yaml").read_text(encoding="utf-8")
    out = []
    for record_id in EXAMPLES:
        subject = next(t.subject for t in triples if t.subject.value.endswith("/" + record_id))
        spans = {t.object for t in triples if t.subject == subject and t.predicate.value.endswith("#evidence")}
        selectors = {t.object for t in triples if t.subject in spans and t.predicate.value.endswith("hasSelector")}
        chosen = sort_triples(t for t in triples if t.subject in {subject} | spans | selectors)
        turtle = serialize(chosen, format=RdfFormat.TURTLE, prefixes=used_prefixes(chosen, minter.prefixes()))
        out += ["```yaml", _record_yaml(facts, record_id), "```", "", "becomes", "", "```turtle",
                turtle.decode("utf-8").rstrip("\n"), "```", ""]
    return "\n".join(out)


def performance() -> str:
    """The newest committed benchmark result (bench/results/), as bench/run.py summarizes it."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("cardf_bench_run", ROOT / "bench" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    newest = sorted((ROOT / "bench" / "results").glob("*.json"))[-1]
    result = json.loads(newest.read_text(encoding="utf-8"))
    return run.summary(result) + f"\nEvery step, baseline and check: [`bench/results/{newest.stem}.md`]" \
        f"(bench/results/{newest.stem}.md).\n"


def draft_quality() -> str:
    """The drafter's scores on the seed article, from the committed bench/results/draft/seed.json."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("cardf_draft_eval", ROOT / "bench" / "draft_eval.py")
    evaluation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluation)
    result = json.loads((ROOT / "bench" / "results" / "draft" / "seed.json").read_text(encoding="utf-8"))
    return evaluation.table(result)


def multi_reports() -> str:
    """The multi-source fixture: the second report's facts.yaml, and what `visits` and `disputed` say of the three."""
    import tempfile

    from click.testing import CliRunner

    multi = ROOT / "tests" / "fixtures" / "multi"
    out = ["`data/articles/multi-agency/article.txt`:", "", "```text",
           (multi / "articles/multi-agency/article.txt").read_text(encoding="utf-8").rstrip("\n"), "```", "",
           "`data/articles/multi-agency/facts.yaml`:", "", "```yaml",
           (multi / "articles/multi-agency/facts.yaml").read_text(encoding="utf-8").rstrip("\n"), "```", ""]
    with tempfile.TemporaryDirectory() as tmp:
        runner = CliRunner()
        built = runner.invoke(main, ["build", "--data", str(multi), "--ontology", str(ROOT / "ontology"),
                                     "--shapes", str(ROOT / "shapes"), "--out", f"{tmp}/dist", "--quiet"])
        assert built.exit_code == 0, built.output
        for command in (["visits"], ["disputed"]):
            answer = runner.invoke(main, ["query", *command, "--store", f"{tmp}/dist/store", "--queries",
                                          str(ROOT / "queries"), "--format", "markdown", "--quiet"])
            assert answer.exit_code == 0, answer.output
            out += [f"`cardf query {' '.join(command)} --format markdown`:", "", answer.stdout.rstrip("\n"), ""]
    return "\n".join(out)


SECTIONS = {"mini": mini_example, "multi": multi_reports, "examples": examples, "format": format_reference, "commands": command_reference,
            "performance": performance, "draft": draft_quality}


def render(readme: str) -> str:
    for name, make in SECTIONS.items():
        start, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
        if start not in readme or end not in readme:
            raise SystemExit(f"README.md lacks the markers {start} … {end}")
        head, rest = readme.split(start, 1)
        _, tail = rest.split(end, 1)
        readme = f"{head}{start}\n{make()}{end}{tail}"
    return readme


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the generated sections of {path.name}")
