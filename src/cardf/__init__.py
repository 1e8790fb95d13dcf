"""cardf: diplomacy news articles as validated, queryable linked data."""

__version__ = "0.1.0"
