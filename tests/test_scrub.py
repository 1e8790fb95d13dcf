"""Masking credentials: every spelling, any part in what a server wrote, whole secrets only in cardf's own words."""

from __future__ import annotations

import base64

import pytest

from cardf.scrub import MASK, Scrubber

PASSWORD = "hunter2-xyzzy"
scrubber = Scrubber(password=PASSWORD, user="alice")


@pytest.mark.parametrize("spelled", [
    PASSWORD, "".join(f"%{b:02x}" for b in PASSWORD.encode()), "hunter2%2Dxyzzy", "hunter2%2dxyzzy",
    "&#104;unter2&#x2D;xyzzy", "\\u0068unter2-xyzzy", base64.b64encode(b"alice:" + PASSWORD.encode()).decode(),
    base64.b64encode(b"header: Basic " + base64.b64encode(b"alice:" + PASSWORD.encode())).decode(),
    PASSWORD.encode().hex(),
])
def test_a_whole_secret_is_masked_in_any_spelling(spelled):
    assert scrubber.message(f"before {spelled} after") == f"before {MASK} after"


def test_in_a_servers_text_any_three_characters_of_the_password_in_a_row_are_masked():
    assert scrubber.said("it began with hun and ended zzy.") == f"it began with {MASK} and ended {MASK}."
    cut = base64.b64encode(b"alice:" + PASSWORD.encode()).decode()[:11]  # "alice:hu" and a bit
    assert scrubber.said(f"Basic {cut}") == f"Basic {MASK}"


def test_cardfs_own_words_are_not_garbled_by_a_password_that_shares_letters_with_them():
    assert scrubber.message("check CARDF_USER; the hunt is over") == "check CARDF_USER; the hunt is over"
    assert scrubber.said("the hunt is over") == f"the {MASK} is over"  # "hun" and "unt"


def test_masking_keeps_the_text_around_and_merges_touching_parts():
    assert scrubber.said(f"[{PASSWORD}][{PASSWORD}]") == f"[{MASK}][{MASK}]"
    assert scrubber.said(f"{PASSWORD}{PASSWORD}") == MASK


def test_a_token_and_no_credentials():
    token = Scrubber(token="tok3n-abc")
    assert token.said("Bearer tok3n-abc") == f"Bearer {MASK}"
    assert Scrubber().said("nothing to hide") == "nothing to hide"
    assert Scrubber(user="al").message("al is too short to mask") == "al is too short to mask"
