"""cardf new, codes, locate, draft and anchors: writing and keeping up an article's facts.yaml."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..resources import resource_dir
from .options import chosen_out, common, data_option, ontology_option, out_option, output_options, say


@click.command(name="new")
@click.argument("slug")
@click.option("--text", "text_file", type=click.Path(path_type=Path, allow_dash=True), required=True, metavar="FILE",
              help="The article's text (UTF-8; - for standard input).")
@click.option("--title", default=None, help="The title in the article's language.")
@click.option("--title-en", default=None, help="The title in English.")
@click.option("--published", default=None, metavar="DATE",
              help="2025-12-04, or 2025-12-04T13:01:00+03:00 when the source gives the time.")
@click.option("--url", default=None, help="Where the article is published.")
@click.option("--publisher", default=None, metavar="ID", help="The publisher, an organization of entities.yaml.")
@click.option("--author", default=None, metavar="ID", help="The author, a person of entities.yaml.")
@click.option("--language", default="ru", show_default=True, help="The article's language (BCP 47).")
@data_option
@common
def new_cmd(slug, text_file, title, title_en, published, url, publisher, author, language, data, quiet):
    """Start an article: data/articles/SLUG/ with its text and a facts.yaml to fill in.

    The text is stored as the loader expects it (UTF-8, NFC, LF line ends); facts.yaml gets
    the article record from the options and names every section. Never overwrites: an existing
    folder is an error.

    Example: cardf new tass-2025-11-12-visit --text visit.txt --published 2025-11-12 --publisher tass
    """
    from ..curate import scaffold

    new = scaffold.NewArticle(slug, None if str(text_file) == "-" else text_file, title, title_en, published, url,
                              publisher, author, language)
    scaffold.check_options(new)
    if publisher or author:
        scaffold.check_entities(new, _entity_kinds(data))
    raw = scaffold.read_source_text(new.text_source)
    text, changes = scaffold.normalize_text(raw, "<stdin>" if new.text_source is None else str(new.text_source))
    folder = scaffold.create(data, new, text)
    for change in changes:
        say(f"Note: {change} in the text.", quiet)
    say(f"Created {folder}/ with article.txt ({len(text)} characters) and facts.yaml.", quiet)
    say(f"Next: cardf draft {slug}", quiet)


def _entity_kinds(data: Path) -> dict[str, str]:
    """id → kind of every entity of data/entities.yaml (read and checked by the loader)."""
    from ..sources import load_corpus, load_vocabulary

    corpus = load_corpus(data, load_vocabulary(resource_dir("ontology")), only=set())
    return {e.id: e.kind.name for e in corpus.entities}


@click.command(name="codes")
@click.argument("scheme", required=False)
@click.option("--search", "words", default=None, metavar="WORDS",
              help="Only codes whose code, labels or definition contain every word (ru or en).")
@output_options(("table", "json", "markdown"), "table", "Output format.", headers=False)
@ontology_option
@common
def codes_cmd(scheme, words, fmt, ontology_dir, quiet):
    """List the code lists (vocabularies) and their codes, with ru/en labels and definitions.

    Without SCHEME, one line per vocabulary and the fields that use it; with SCHEME (a
    vocabulary such as event-type, or a field such as events.type), its codes. --search finds
    codes in every vocabulary.

    Example: cardf codes figure-qualifier --search почти
    """
    from ..curate import codes

    schemes = codes.load_schemes(ontology_dir or resource_dir("ontology"))
    chosen = codes.pick(schemes, scheme)
    if words:
        chosen = codes.search(chosen, words.split())
        if not chosen:
            say(f"No code matches {words!r}.", quiet)
            sys.exit(1)
    click.echo(codes.render(chosen, fmt, overview=scheme is None and not words), nl=False)


@click.command(name="locate")
@click.argument("slug")
@click.argument("words")
@data_option
@click.option("--limit", type=click.IntRange(min=1), default=3, show_default=True,
              help="Closest passages shown when the words do not occur exactly.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@common
def locate_cmd(slug, words, data, limit, as_json, quiet):
    """Find words in an article: where they occur, and the evidence to paste into facts.yaml.

    When they do not occur exactly, shows the closest passages and what differs (a dash, a
    quotation mark, ё/е, a no-break or zero-width space, a different word). Exit 0 when the
    words occur exactly, 1 when they do not.

    Example: cardf locate interaffairs-2025-12-04-russia-central-asia "16 документов"
    """
    import json

    from .. import textmatch as locate
    from ..curate.articles import article_folder, article_text

    folder = article_folder(data, slug)
    text = article_text(folder)
    shown, found, exact = locate.report(text, words, str(folder / "article.txt"), limit)
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if as_json else shown, nl=as_json)
    sys.exit(0 if exact else 1)


@click.command(name="draft")
@click.argument("source", metavar="SLUG | FILE")
@click.option("--accept", "accept_ids", multiple=True, metavar="ID",
              help="Move these draft records into facts.yaml (repeat, or give several ids separated by spaces).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default=None,
              help="Where to write the draft [default: facts.draft.yaml beside facts.yaml; stdout for a FILE].")
@click.option("--published", default=None, metavar="DATE",
              help="The article's date, for years the text leaves out [default: facts.yaml's `published`].")
@data_option
@ontology_option
@common
def draft_cmd(source, accept_ids, out, published, data, ontology_dir, quiet):
    """Propose records for an article: entities, dates, figures, quotations, statements, events.

    Writes facts.draft.yaml beside facts.yaml (the build never reads it); each record has its
    evidence in the article and a confidence. Keep records with --accept ID …, which moves them
    into facts.yaml; correct or delete the rest. SOURCE may also be a text file: the draft is
    printed.

    Example: cardf draft tass-2025-11-12-visit --accept figure-trade-turnover-usd quote-vladimir-putin-my-vysoko
    """
    from ..curate import draft as drafter
    from ..curate.articles import article_folder, article_text, facts_path
    from ..curate.draft.accept import accept
    from ..sources import load_corpus, load_vocabulary

    slug_given = not Path(source).is_file()
    folder = article_folder(data, source) if slug_given else None
    if accept_ids:
        if folder is None:
            raise UsageError("--accept works on an article of --data: give its SLUG, not a file")
        ids = [i for chunk in accept_ids for i in chunk.split()]
        for line in accept(folder / drafter.DRAFT_FILE, facts_path(folder), ids):
            say(f"Accepted {line}", quiet)
        say("Next: cardf build (records that need correcting are reported at their line in facts.yaml)", quiet)
        return
    from ..yamlfile import read_text

    text = article_text(folder) if folder is not None else read_text(Path(source))
    facts_text = ""
    if folder is not None and facts_path(folder).is_file():
        facts_text = read_text(facts_path(folder))
    given_date, author = drafter.article_meta(facts_text)
    ontology = ontology_dir or resource_dir("ontology")
    corpus = load_corpus(data, load_vocabulary(ontology), only=set())
    registry = drafter.entities.registry_from_records(corpus.entities)
    result = drafter.draft_text(text, registry, drafter.units_from_vocabulary(ontology), published or given_date,
                                drafter.taken_ids(data), folder.name if folder else Path(source).stem, author)
    result.proposals, skipped = drafter.already_curated(result.proposals, facts_text)
    rendered = drafter.render(result, text)
    if not (published or given_date):
        say("Warning: no article date (facts.yaml `published` or --published); years the text leaves out "
            "are not filled in.", quiet)
    target = out if out is not None else (folder / drafter.DRAFT_FILE if folder is not None else Path("-"))
    if str(target) == "-":
        click.echo(rendered, nl=False)
    else:
        from ..curate.draft.accept import write_atomically

        write_atomically(target, rendered)
    counts = {}
    for p in result.proposals:
        counts[p.section] = counts.get(p.section, 0) + 1
    summary = ", ".join(f"{n} {section}" for section, n in counts.items()) or "no records"
    say(f"Drafted {summary}; {len({m.entity for m in result.mentions})} entities linked, "
        f"{len(result.new_entities)} new names" + (f"; {skipped} already in facts.yaml left out" if skipped else "")
        + ("" if str(target) == "-" else f". Wrote {target}"), quiet)


@click.command(name="anchors")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--fix", is_flag=True,
              help="Update facts.yaml where the answer is unambiguous (occurrence, changed words).")
@out_option("The previous build, whose cardf.nq records each quote's context and position.")
@data_option
@ontology_option
@click.option("--all", "show_all", is_flag=True, help="List unchanged quotes too.")
@common
def anchors_cmd(slugs, fix, out, old_dist, data, ontology_dir, show_all, quiet):
    """Re-anchor every evidence quote after article.txt was edited; report moved and changed ones.

    Each quote is found again by its words, and by the context and position the previous build
    (--out) recorded: exactly, then approximately, scored like annotation tools re-anchor
    highlights. --fix updates facts.yaml in place (occurrence numbers, or the words where the
    article's words changed unambiguously) and lists the rest for a person. Exit 0 when every
    quote is anchored, 1 when some need a person (or --fix).

    Example: cardf anchors interaffairs-2025-12-04-russia-central-asia --fix
    """
    from ..curate import anchors
    from ..curate.articles import article_folder
    from ..sources import ARTICLES_DIR, load_vocabulary

    dist = chosen_out(out, old_dist, quiet)
    old = anchors.read_previous_build(dist)
    if old is None:
        say(f"No previous build at {dist}/cardf.nq: quotes are re-anchored by their words alone.", quiet)
    if not slugs and not (data / ARTICLES_DIR).is_dir():
        from ..errors import InputError, Problem

        raise InputError(problems=[Problem(f"no `{ARTICLES_DIR}/` folder; each article lives in "
                                           f"{ARTICLES_DIR}/<slug>/", data)])
    folders = [article_folder(data, s) for s in slugs] if slugs else sorted(
        p for p in (data / ARTICLES_DIR).iterdir() if p.is_dir() and not p.name.startswith("."))
    vocab = load_vocabulary(ontology_dir or resource_dir("ontology"))
    results = [anchors.check_article(folder, vocab, old) for folder in folders]
    if fix:
        for result in results:
            anchors.fix(result)
    shown, clean = anchors.render(results, fix, show_all)
    click.echo(shown, nl=False)
    sys.exit(0 if clean else 1)


commands = (new_cmd, codes_cmd, locate_cmd, draft_cmd, anchors_cmd)
