"""render: tables, Markdown, CSV/TSV and prefixed names, the same for every command."""

from __future__ import annotations

from cardf import render

PREFIXES = {"ex": "http://example.org/", "exs": "http://example.org/sub/", "wd": "http://www.wikidata.org/entity/"}


def test_controls_are_shown_never_sent_to_the_terminal():
    assert render.safe("\x1b[31mred\x1b[0m") == "\\u001b[31mred\\u001b[0m"
    assert render.safe("a\u202eb\x07c\x9bd") == "a\\u202eb\\u0007c\\u009bd"
    assert render.safe("Москва – ok") == "Москва – ok"
    table = render.table(["label"], [["\x1b]0;pwned\x07x"]])
    assert "\x1b" not in table and "\x07" not in table
    assert table == "label\n" + "-" * 21 + "\n\\u001b]0;pwned\\u0007x\n"
    assert render.markdown(["a"], [["\x1b[2J|x"]]) == "| a |\n| --- |\n| \\u001b[2J\\|x |\n"


def test_line_breaks_in_a_cell_become_one_space():
    assert render.table(["a", "b"], [["one\n two", "x"]], headers=False) == "one two  x\n"


def test_wide_characters_align_by_their_width_on_screen():
    assert render.table(["a", "b"], [["日本", "x"], ["ab", "y"]]) == "a     b\n----  -\n日本  x\nab    y\n"


def test_a_table_fits_the_terminal_by_narrowing_its_widest_column():
    rows = [["short", "x" * 50, "y" * 30]]
    text = render.table(["a", "b", "c"], rows, fit=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert text.splitlines()[2] == "short  " + "x" * 24 + "…" + "  " + "y" * 25 + "…"  # 5 + 2 + 25 + 2 + 26


def test_a_table_of_many_columns_goes_below_the_usual_minimum_rather_than_wrap():
    text = render.table([f"column{i}" for i in range(10)], [["a long value"] * 10], fit=60)
    assert [len(line) for line in text.splitlines()] == [60, 60, 60]
    assert text.splitlines()[2] == "  ".join(["a l…"] * 8 + ["a lo…"] * 2)


def test_a_table_is_not_fitted_when_standard_output_is_not_a_terminal():
    assert render.terminal_width() is None  # pytest captures stdout
    assert render.table(["a"], [["x" * 300]]) == "a\n" + "-" * 300 + "\n" + "x" * 300 + "\n"


def test_later_blocks_keep_the_widths_of_the_first():
    sheet = render.Table(["n", "v"], limit=5)
    assert sheet.block([["1", "ab"]]) == "n  v\n-  --\n1  ab\n"
    assert sheet.block([["2", "abcdefgh"]]) == "2  a…\n"


def test_right_aligned_columns_and_no_rule():
    assert render.table(["k", "n"], [["a", "1"], ["bb", "22"]], right={1}) == "k    n\n--  --\na    1\nbb  22\n"
    assert render.table(["k", "n"], [["a", "1"]], rule=False) == "k  n\na  1\n"
    assert render.markdown(["k", "n"], [["a", "1"]], right={1}) == "| k | n |\n| --- | ---: |\n| a | 1 |\n"


def test_one_rule_for_prefixed_names():
    assert render.curie("http://example.org/sub/x", PREFIXES) == "exs:x"  # the longest namespace
    assert render.curie("http://www.wikidata.org/entity/Q159", PREFIXES) == "wd:Q159"
    for unusable in ("http://example.org/a/b", "http://example.org/x.", "http://example.org/-x", "http://example.org/",
                     "http://other.org/x"):
        assert render.curie(unusable, PREFIXES) is None, unusable
    assert render.short_iri("http://other.org/x", PREFIXES) == "<http://other.org/x>"
    assert render.curies_in("see http://example.org/a, and http://other.org/b.", PREFIXES) == (
        "see ex:a, and http://other.org/b.")


def test_csv_and_tsv_keep_the_values():
    assert render.csv_text(["a", "b"], [["x,y", 'q"\x1b']]) == 'a,b\r\n"x,y","q""\x1b"\r\n'
    assert render.tsv_text(["a", "b"], [["x\ty", "z\nw"]], headers=False) == "x y\tz w\n"
