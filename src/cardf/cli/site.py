"""cardf site: a static site people read, written from a build's store (see cardf.site)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import common, existing, project_options, say


@click.command(name="site")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"), show_default=True,
              help="Folder for the site; replaced whole, and only if it is empty or a site cardf wrote.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="The build's store to show [default: out/store, which cardf build writes].")
@project_options
@common
def site(out, store_dir, data, ontology_dir, shapes, base, quiet):
    """Write a static site from the build: the articles with their evidence highlighted, a page per IRI.

    Every record and entity gets a page at the path of its IRI with its Turtle and JSON-LD beside it;
    a timeline, a who-met-whom network, figures per country, search and the ontology's documentation.
    It loads nothing from the network; open site/index.html, or serve it with the store: cardf serve.

    Example: cardf build && cardf site --out site && cardf serve
    """
    from .. import site as stage
    from ..resources import OUT_DIR, resource_dir

    done = stage.build(stage.Settings(store=store_dir if store_dir is not None else OUT_DIR / "store", data=data,
                                      out=out, base=base, ontology=ontology_dir or resource_dir("ontology"),
                                      shapes=existing(shapes, "shapes"), queries=resource_dir("queries")))
    say(f"Wrote {done.files} files ({done.bytes / 1e6:.1f} MB) to {out}/: {done.articles} article(s) with "
        f"{done.spans} evidence spans, {done.pages} record and entity pages, {done.parts} pages of evidence spans "
        "and participations.", quiet)


commands = (site,)
