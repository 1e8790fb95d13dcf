"""What every build of one set of settings shares: names, prefixes, the ontology, code lists, writers.

Made once per build, in the build's own process; worker processes get a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Triple

from ..export import FORMATS
from ..export.blocks import BlockWriter
from ..iris import Minter
from ..ontology import build_context, load_ontology_quads
from ..sources import load_vocabulary


@dataclass
class Settings:
    """Where a build reads from and writes to."""

    data: Path
    out: Path
    ontology: Path
    shapes: Path
    base: str
    formats: tuple[str, ...] = FORMATS
    store: bool = True

    def shape_files(self) -> list[Path]:
        return shape_files(self.shapes)


def shape_files(shapes: Path) -> list[Path]:
    return sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]


class Project:
    """The settings' minter, prefixes, ontology triples, vocabularies, JSON-LD context and block writer."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.minter = Minter(settings.base)
        self.prefixes = self.minter.prefixes()
        self.ontology: list[Triple] = load_ontology_quads(settings.ontology)
        self.vocab = load_vocabulary(settings.ontology)
        self.context = build_context(self.ontology, self.minter)
        self._writer: BlockWriter | None = None

    @property
    def writer(self) -> BlockWriter:
        if self._writer is None:  # made where it is used: workers remember terms of their own
            self._writer = BlockWriter(self.prefixes, self.context)
        return self._writer

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_writer"] = None
        return state
