"""The `cardf` command line: parse options, call the stages, turn known errors into exit codes.

One module per family of commands; the options they share are in `options`. A family's module
is imported only when one of its commands runs (or when --help lists them all), so that
`cardf --version` and `cardf query` do not pay for the imports of `cardf build`.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

# command → the module of its family (each module's `commands` holds them)
FAMILIES = {
    "build": "build", "validate": "build", "init": "build",
    "query": "query",
    "export": "export",
    "load": "store", "serve": "store",
    "site": "site",
    "ontology": "ontology", "stats": "ontology", "diff": "ontology",
    "new": "curate", "codes": "curate", "locate": "curate", "draft": "curate", "anchors": "curate",
}


class _Commands(dict):
    """The group's commands by name, each family imported on first use."""

    def __missing__(self, name: str):
        family = FAMILIES.get(name)
        if family is None:
            raise KeyError(name)
        for command in importlib.import_module(f"{__name__}.{family}").commands:
            self.setdefault(command.name, command)
        return dict.__getitem__(self, name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        return name in FAMILIES or dict.__contains__(self, name)

    def __iter__(self):
        return iter(sorted(FAMILIES))

    def __len__(self) -> int:
        return len(FAMILIES)

    def keys(self):
        return sorted(FAMILIES)

    def values(self):
        return [self[name] for name in sorted(FAMILIES)]

    def items(self):
        return [(name, self[name]) for name in sorted(FAMILIES)]


class LazyGroup(click.Group):
    """A click group whose commands are imported when asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)

    def list_commands(self, ctx) -> list[str]:
        return sorted(FAMILIES)

    def get_command(self, ctx, cmd_name: str):
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cardf")
def main():
    """cardf turns what news articles say about diplomacy into linked data.

    Typical use: cardf init demo, cardf build, then cardf query, cardf export or cardf load.
    Shell completion (bash): eval "$(_CARDF_COMPLETE=bash_source cardf)"; zsh and fish likewise.
    """


__all__ = ["main"]
