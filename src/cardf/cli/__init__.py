"""The `cardf` command line: parse options, call the stages, turn known errors into exit codes.

One module per family of commands; the options they share are in `options`.
"""

from __future__ import annotations

import click

from .. import __version__
from . import build, curate, export, ontology, query, site, store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cardf")
def main():
    """cardf turns what news articles say about diplomacy into linked data.

    Typical use: cardf init demo, cardf build, then cardf query, cardf export or cardf load.
    Shell completion (bash): eval "$(_CARDF_COMPLETE=bash_source cardf)"; zsh and fish likewise.
    """


for family in (build, query, export, store, site, ontology, curate):
    for command in family.commands:
        main.add_command(command)

__all__ = ["main"]
