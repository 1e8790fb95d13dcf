"""shapes/cardf-vocabularies.ttl: the `sh:in` code lists, generated from the ontology and the source format.

`python -m cardf.shacl.vocabulary > shapes/cardf-vocabularies.ttl` writes it; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyoxigraph import Triple

VOCABULARY_SHAPES_FILE = "cardf-vocabularies.ttl"


def vocabulary_shapes(ontology: list[Triple]) -> str:
    """shapes/cardf-vocabularies.ttl: for every field whose values come from a vocabulary, an `sh:in` list.

    Generated from the concept schemes of the ontology and the fields of schema.py, so the
    shapes accept exactly the codes the loader accepts. A test fails when the file is stale.
    """
    from ..iris import SKOS, VOCAB
    from ..schema import ARTICLE_FIELDS, ENTITY_KINDS, PARTICIPANT_FIELDS, RECORD_KINDS

    codes: dict[str, set[str]] = {}
    for t in ontology:
        if t.predicate.value == SKOS + "inScheme" and t.subject.value.startswith(VOCAB):
            scheme, _, code = t.subject.value[len(VOCAB):].rpartition("/")
            codes.setdefault(scheme, set()).add(code)
    uses: dict[tuple[str, str], tuple[str, set[str]]] = {}
    spec = [(k.cls, f) for k in ENTITY_KINDS + RECORD_KINDS for f in k.fields]
    spec += [("Article", f) for f in ARTICLE_FIELDS] + [("Participation", f) for f in PARTICIPANT_FIELDS]
    for cls, f in spec:
        if f.type in ("concept", "concepts") and f.scheme:
            uses.setdefault((cls, f.predicate), (f.scheme, set()))[1].add(f.name)
    out = [
        "# cardf — SHACL shapes, part 2: the codes of the controlled vocabularies.",
        "#",
        "# GENERATED — do not edit. Regenerate after changing ontology/vocabularies.ttl or the",
        "# concept fields of src/cardf/schema.py:",
        "#     python -m cardf.shacl.vocabulary > shapes/cardf-vocabularies.ttl",
        "# Each property shape lists, with sh:in, the concepts of one scheme and is attached to the",
        "# node shape of its class in cardf-shapes.ttl.",
        "",
        "@prefix cardf:        <https://w3id.org/cardf/ontology#> .",
        "@prefix cardf-shapes: <https://w3id.org/cardf/shapes#> .",
        "@prefix sh:           <http://www.w3.org/ns/shacl#> .",
    ]
    for scheme in sorted({s for s, _ in uses.values()}):
        out.append(f"@prefix {scheme + ':':<19} <{VOCAB}{scheme}/> .")
    for (cls, predicate), (scheme, names) in sorted(uses.items()):
        if predicate is None:
            continue
        known = sorted(codes.get(scheme, set()))
        shape = f"cardf-shapes:{cls}-{predicate}-code"
        field_names = " / ".join(f"`{n}:`" for n in sorted(names))
        listing = ", ".join(known)
        out += [
            "",
            f"cardf-shapes:{cls} sh:property {shape} .",
            "",
            shape,
            "    a sh:PropertyShape ;",
            f"    sh:path cardf:{predicate} ;",
            "    sh:in ( " + " ".join(f"{scheme}:{c}" for c in known) + " ) ;",
            f"    sh:message \"{field_names} takes a code of the {scheme} vocabulary: {listing}.\" .",
        ]
    return "\n".join(out) + "\n"


def _main(argv: list[str]) -> int:
    if len(argv) > 1 or argv[:1] in (["-h"], ["--help"]):
        print("usage: python -m cardf.shacl.vocabulary [ONTOLOGY_DIR]", file=sys.stderr)
        return 2
    from ..ontology import load_ontology_quads
    from ..resources import resource_dir

    folder = Path(argv[0]) if argv else resource_dir("ontology")
    sys.stdout.write(vocabulary_shapes(load_ontology_quads(folder)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
