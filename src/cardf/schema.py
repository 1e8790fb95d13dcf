"""The source format: which record kinds exist, which fields they take, and what each means.

This table is the single description of `data/`. The loader checks structure against it,
the mapper turns each field into triples with the predicate named here, and the README's
format reference is written from it, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

# Field types understood by the loader (sources.py) and the mapper (mapping.py).
#   id        a slug: lowercase letters, digits and single hyphens
#   str       a plain string
#   en        a string in English (becomes an @en literal)
#   text      a mapping of language tag to string, e.g. {ru: …, en: …}
#   texts     a list of `text`
#   language  a BCP 47 language tag such as ru
#   qid       a Wikidata item id such as Q159
#   date      YYYY-MM-DD, YYYY-MM or YYYY (becomes xsd:date, xsd:gYearMonth or xsd:gYear)
#   datetime  YYYY-MM-DDThh:mm:ss with its offset from UTC (xsd:dateTime), or YYYY-MM-DD alone
#             when the source gives no time (xsd:date)
#   decimal   a number written in the YAML with a dot as decimal mark (kept exactly)
#   integer   a whole number
#   ref       the id of an entity or record of the kinds listed in `targets`
#   refs      one such id or a list of them
#   concept   a code from the controlled vocabulary named in `scheme`
#   concepts  one such code or a list of them
#   currency  an ISO 4217 code such as USD
#   url       an http(s) URL
#   period    {start: DATE, end: DATE} or a single DATE for a whole year or month
#   evidence  an exact quote of the article, or {text: …, occurrence: N}, or a list of those
#   participants  a list of {agent: REF, role: CONCEPT, office: REF, represents: REF}

AGENTS = ("states", "persons", "organizations")
PLACES = ("places", "states")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    predicate: str | None = None  # local name under the ontology namespace, or a CURIE (rdfs:label); None = special
    required: bool = False
    targets: tuple[str, ...] = ()
    scheme: str | None = None
    doc: str = ""


    @property
    def curie(self) -> str | None:
        """The predicate as a CURIE: `rdfs:label`, or `cardf:startDate` for a name of the ontology's own."""
        if self.predicate is None:
            return None
        return self.predicate if ":" in self.predicate else f"cardf:{self.predicate}"


@dataclass(frozen=True)
class Kind:
    """A section of entities.yaml or facts.yaml: a list of records of one class."""

    name: str  # the YAML key
    segment: str  # the IRI path segment under …/id/
    cls: str  # the ontology class (local name)
    fields: tuple[Field, ...]
    doc: str = ""
    evidence_required: bool = True
    is_entity: bool = False

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name)

    @property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _common(*, label_required: bool = False, evidence: bool = True) -> tuple[Field, ...]:
    base = (
        Field("id", "id", required=True, doc="unique slug; becomes the last segment of the IRI"),
        Field("label", "text", "rdfs:label", required=label_required, doc="name in ru and en (rdfs:label)"),
        Field("note", "en", "rdfs:comment", doc="curator's remark in English (rdfs:comment)"),
    )
    if evidence:
        base += (
            Field("evidence", "evidence", None, doc="exact words of the article that state this"),
            Field("sources", "refs", "supportedBy", targets=("sources",), doc="cited sources (footnotes) that back it"),
        )
    return base


ENTITY_COMMON = (
    Field("id", "id", required=True, doc="unique slug; becomes the last segment of the IRI"),
    Field("label", "text", "rdfs:label", required=True, doc="name in ru and en (rdfs:label)"),
    Field("alt_labels", "texts", "skos:altLabel", doc="other names and spellings (skos:altLabel)"),
    Field("wikidata", "qid", None, doc="Wikidata id such as Q159, only where certain (skos:exactMatch)"),
    Field("note", "en", "rdfs:comment", doc="curator's remark in English (rdfs:comment)"),
)

ENTITY_KINDS: tuple[Kind, ...] = (
    Kind("states", "state", "State", ENTITY_COMMON + (
        Field("iso_code", "str", "isoCode", doc="ISO 3166-1 alpha-3 code"),
        Field("capital", "ref", "capital", targets=("places",)),
    ), doc="sovereign states", evidence_required=False, is_entity=True),
    Kind("persons", "person", "Person", ENTITY_COMMON + (
        Field("offices", "refs", "holdsOffice", targets=("offices",), doc="offices held at the time of the articles"),
    ), doc="people, with their full names", evidence_required=False, is_entity=True),
    Kind("offices", "office", "Office", ENTITY_COMMON + (
        Field("of", "ref", "officeOf", required=True, targets=("states", "organizations")),
    ), doc="standing positions such as President of Russia", evidence_required=False, is_entity=True),
    Kind("organizations", "organization", "Organization", ENTITY_COMMON + (
        Field("type", "concept", "organizationType", required=True, scheme="organization-type"),
        Field("members", "refs", "member", targets=AGENTS),
        Field("part_of", "ref", "subOrganizationOf", targets=AGENTS),
        Field("based_in", "ref", "basedIn", targets=PLACES),
    ), doc="international organizations, dialogue formats, government bodies, companies, media",
        evidence_required=False, is_entity=True),
    Kind("places", "place", "Place", ENTITY_COMMON + (
        Field("type", "concept", "placeType", required=True, scheme="place-type"),
        Field("located_in", "ref", "locatedIn", targets=PLACES),
    ), doc="cities, venues, regions, fields", evidence_required=False, is_entity=True),
)

RECORD_KINDS: tuple[Kind, ...] = (
    Kind("sources", "source", "CitedSource", _common(label_required=False)[:3] + (
        Field("footnote", "integer", "footnoteNumber", doc="the footnote number in the article"),
        Field("type", "concept", "documentType", required=True, scheme="document-type"),
        Field("title", "text", "title", required=True),
        Field("date", "date", "date"),
        Field("url", "url", "url"),
        Field("publisher", "ref", "publisher", targets=("organizations",)),
        Field("evidence", "evidence", None),
    ), doc="works the article cites in its footnotes"),
    Kind("events", "event", "Event", _common(label_required=True) + (
        Field("type", "concept", "eventType", required=True, scheme="event-type"),
        Field("start", "date", "startDate"),
        Field("end", "date", "endDate"),
        Field("date_text", "text", "dateText", doc="the date as the text gives it when it gives no exact one"),
        Field("places", "refs", "location", targets=PLACES),
        Field("hosts", "refs", "host", targets=AGENTS),
        Field("guests", "refs", "guest", targets=AGENTS),
        Field("participants", "participants", None),
        Field("part_of", "ref", "partOf", targets=("events",)),
        Field("series", "ref", "series", targets=("organizations",)),
        Field("ordinal", "integer", "ordinal"),
        Field("organizer", "ref", "organizer", targets=AGENTS),
        Field("topics", "texts", "topic"),
        Field("about", "refs", "about", targets=AGENTS + ("places",), doc="states, bodies and places discussed"),
        Field("distinct_from", "refs", "distinctFrom", targets=("events",),
              doc="records that look like this one but are other things in the world (silences the identity check)"),
    ), doc="visits, summits, sessions, talks, meetings, ceremonies"),
    Kind("documents", "document", "Document", _common() + (
        Field("type", "concept", "documentType", required=True, scheme="document-type"),
        Field("title", "text", "title", required=True),
        Field("date", "date", "date"),
        Field("signed_at", "ref", "signedAt", targets=("events",)),
        Field("signatories", "refs", "signatory", targets=AGENTS),
        Field("authors", "refs", "author", targets=AGENTS),
        Field("published_in", "ref", "publishedIn", targets=("organizations",)),
        Field("part_of", "ref", "partOfDocument", targets=("documents",)),
        Field("covers", "period", "coversPeriod"),
        Field("about", "refs", "about", targets=AGENTS + ("places",), doc="states, bodies and places it concerns"),
        Field("distinct_from", "refs", "distinctFrom", targets=("documents",),
              doc="records that look like this one but are other things in the world (silences the identity check)"),
    ), doc="named documents: statements, declarations, plans, communiqués, articles, laws"),
    Kind("document_sets", "document-set", "DocumentSet", _common() + (
        Field("count", "integer", "documentCount", required=True),
        Field("levels", "concepts", "documentLevel", scheme="document-level"),
        Field("signed_at", "ref", "signedAt", required=True, targets=("events",)),
        Field("signatories", "refs", "signatory", targets=AGENTS),
        Field("includes", "refs", "includesDocument", targets=("documents",)),
        Field("distinct_from", "refs", "distinctFrom", targets=("document_sets",),
              doc="records that look like this one but are other things in the world (silences the identity check)"),
    ), doc="documents the article counts without naming them (\"16 documents\")"),
    Kind("decisions", "decision", "Decision", _common(label_required=True) + (
        Field("type", "concept", "decisionType", required=True, scheme="decision-type"),
        Field("adopted_at", "ref", "adoptedAt", required=True, targets=("events",)),
        Field("adopted_by", "ref", "adoptedBy", targets=AGENTS),
        Field("concerns", "refs", "concerns", targets=AGENTS),
        Field("period", "period", "period"),
        Field("distinct_from", "refs", "distinctFrom", targets=("decisions",),
              doc="records that look like this one but are other things in the world (silences the identity check)"),
    ), doc="decisions adopted by a body: new formats, observer status, work plans"),
    Kind("commitments", "commitment", "Commitment", _common(label_required=True) + (
        Field("type", "concept", "commitmentType", required=True, scheme="commitment-type"),
        Field("status", "concept", "commitmentStatus", required=True, scheme="commitment-status"),
        Field("committed_by", "refs", "committedBy", required=True, targets=AGENTS),
        Field("committed_to", "refs", "committedTo", targets=AGENTS),
        Field("expressed_in", "ref", "expressedIn", targets=("documents",)),
        Field("made_at", "ref", "occasion", targets=("events",)),
        Field("date", "date", "date"),
        Field("places", "refs", "location", targets=PLACES),
        Field("value", "ref", "value", targets=("figures",)),
        Field("distinct_from", "refs", "distinctFrom", targets=("commitments",),
              doc="records that look like this one but are other things in the world (silences the identity check)"),
    ), doc="promises, intentions and agreed projects, with who committed to whom"),
    Kind("relationships", "relationship-status", "RelationshipStatus", _common() + (
        Field("parties", "refs", None, required=True, targets=("states",)),
        Field("level", "concept", "level", required=True, scheme="relationship-level"),
        Field("kind", "concept", "statusKind", required=True, scheme="status-kind"),
        Field("since", "date", "since"),
        Field("established_by", "ref", "establishedBy", targets=("documents",)),
        Field("stated_in", "ref", "statedIn", targets=("documents", "quotes", "statements"),
              doc="a document or speech that states the level without creating it"),
        Field("stated_by", "ref", "attributedTo", targets=AGENTS),
    ), doc="a bilateral relationship's stated level, its upgrade or an intended upgrade"),
    Kind("figures", "figure", "Figure", _common() + (
        Field("indicator", "concept", "indicator", required=True, scheme="figure-indicator"),
        Field("value", "decimal", "amount", required=True),
        Field("currency", "currency", "currency"),
        Field("unit", "concept", "unit", scheme="figure-unit"),
        Field("period", "period", "period"),
        Field("period_text", "text", "dateText", doc="the period as the text gives it (\"in the next five years\")"),
        Field("qualifiers", "concepts", "qualifier", scheme="figure-qualifier"),
        Field("from", "ref", "fromAgent", targets=AGENTS),
        Field("to", "ref", "toAgent", targets=AGENTS),
        Field("about", "refs", "about",
              targets=AGENTS + ("events", "documents", "document_sets", "commitments", "places")),
        Field("stated_by", "ref", "attributedTo", targets=AGENTS),
        Field("stated_in", "ref", "statedIn", targets=("quotes", "statements", "documents")),
        Field("occasion", "ref", "occasion", targets=("events",)),
        Field("distinct_from", "refs", "distinctFrom", targets=("figures",),
              doc="records that look like this one but are other things in the world (silences the identity check)"),
    ), doc="every number the article states"),
    Kind("quotes", "quote", "Quotation", _common() + (
        Field("text", "str", None, required=True, doc="verbatim Russian text; must occur in the article"),
        Field("translation", "en", "translation", doc="English translation"),
        Field("speaker", "refs", "speaker", targets=AGENTS, doc="one speaker, or a list for joint statements"),
        Field("speaker_description", "text", "speakerDescription", doc="who speaks, when the text names nobody"),
        Field("medium", "concept", "medium", required=True, scheme="quote-medium"),
        Field("occasion", "ref", "occasion", targets=("events",)),
        Field("date", "date", "date"),
        Field("in_document", "ref", "inDocument", targets=("documents",)),
        Field("about", "refs", "about", targets=AGENTS + ("events", "documents", "places")),
    ), doc="direct quotations, verbatim", evidence_required=False),
    Kind("statements", "statement", "Statement", _common() + (
        Field("mode", "concept", "statementMode", required=True, scheme="statement-mode"),
        Field("speaker", "refs", "speaker", required=True, targets=AGENTS,
              doc="one speaker, or a list for joint statements"),
        Field("content", "text", "content", required=True),
        Field("occasion", "ref", "occasion", targets=("events",)),
        Field("date", "date", "date"),
        Field("in_document", "ref", "inDocument", targets=("documents",)),
        Field("about", "refs", "about", targets=AGENTS + ("events", "documents", "commitments", "places")),
    ), doc="reported speech: promised, confirmed, intends to, noted"),
    Kind("opinions", "opinion", "Opinion", _common() + (
        Field("content", "text", "content", required=True),
        Field("about", "refs", "about", targets=AGENTS + ("events", "documents", "commitments", "places")),
    ), doc="the author's own assessments, kept apart from reported facts"),
    Kind("claims", "claim", "Claim", _common() + (
        Field("claim_about", "ref", "claimAbout", required=True,
              targets=("events", "documents", "figures", "decisions", "commitments", "relationships")),
        Field("field", "str", None, required=True, doc="the field of that record the claim gives a value for"),
        Field("value", "str", None, required=True, doc="the value as it would be written in that field"),
        Field("according_to", "ref", "accordingTo", targets=("sources",),
              doc="the cited source; omit when the article's own text says it"),
        Field("conflicts_with", "refs", "conflictsWith", targets=("claims",)),
    ), doc="competing statements of one fact, each kept with its source"),
)

ARTICLE_FIELDS: tuple[Field, ...] = (
    Field("slug", "id", None, required=True, doc="must equal the article's folder name"),
    Field("title", "text", "title", required=True),
    Field("publisher", "ref", "publisher", required=True, targets=("organizations",)),
    Field("published", "datetime", "published", required=True,
          doc="date and time with seconds and offset, or the date alone when the source gives no time"),
    Field("language", "language", "language", required=True, doc="BCP 47 tag of the article's language"),
    Field("url", "url", "url"),
    Field("author", "ref", "author", targets=("persons",),
          doc="the author, a person in entities.yaml (define an unnamed author there too)"),
    Field("note", "en", "rdfs:comment", doc="curator's remark in English (rdfs:comment)"),
    Field("genre", "concept", "genre", scheme="article-genre"),
    Field("disclaimer", "evidence", None, doc="the editor's disclaimer, quoted"),
    Field("about", "refs", "about", targets=AGENTS + ("places",)),
)

ALL_KINDS: dict[str, Kind] = {k.name: k for k in ENTITY_KINDS + RECORD_KINDS}

PARTICIPANT_FIELDS: tuple[Field, ...] = (
    Field("agent", "ref", "agent", required=True, targets=AGENTS),
    Field("role", "concept", "role", required=True, scheme="participant-role"),
    Field("office", "ref", "inCapacityOf", targets=("offices",)),
    Field("represents", "ref", "represents", targets=AGENTS),
)

EVIDENCE_FIELDS: tuple[Field, ...] = (
    Field("text", "str", None, required=True, doc="exact words of the article"),
    Field("occurrence", "integer", None, doc="which occurrence, when the words occur more than once (1-based)"),
)

PERIOD_FIELDS: tuple[Field, ...] = (
    Field("start", "date", "startDate", required=True),
    Field("end", "date", "endDate", required=True),
)
