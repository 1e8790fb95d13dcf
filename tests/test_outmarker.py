"""The marker's text: written without json's slow indenting encoder, yet the same bytes as json.dumps(indent=1), so
markers written before and after read alike."""

from __future__ import annotations

import json

from cardf.outmarker import COMPLETE, STAGING, Listing, checksum, marker_text, read_marker, write_marker


def json_text(body: dict) -> str:
    return json.dumps({**body, "check": checksum(body)}, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def test_the_text_is_what_json_dumps_writes():
    bodies = [
        {"format": "cardf-build", "version": 1, "state": "complete",
         "files": {"z/ë \"q\"\\.ttl": [3, "ab"], "a": [0, "cd"], "id/span/x\u2028.html": [12, "ef"]},
         "folders": ["a", "z"], "stores": ["store"]},
        {"format": "cardf-build", "version": 1, "state": "complete", "files": {}, "folders": [], "stores": []},
        {"format": "cardf-build", "version": 1, "state": "staging"},
        {"format": "cardf-build", "version": 1, "state": "complete", "files": {"x": [True, "a"]}},  # not a listing
    ]
    for body in bodies:
        assert marker_text(body) == json_text(body)


def test_a_written_marker_reads_back(tmp_path):
    listing = Listing(COMPLETE, {"b/ж.html": (5, "0" * 64), "a.ttl": (0, "f" * 64)}, ["b"], [])
    write_marker(tmp_path, listing)
    assert read_marker(tmp_path) == listing
    write_marker(tmp_path, Listing(STAGING))
    assert read_marker(tmp_path) == Listing(STAGING)
