"""Tools for the people who curate `data/`: scaffold an article, list codes, find words, re-anchor evidence, draft.

Nothing here is part of the build: these modules read the sources and help write them, and
the build never reads what they write beside `facts.yaml` (the draft).
"""
