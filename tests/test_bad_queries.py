"""Issue 7: broken or dangerous queries get a located message and the documented exit code."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run

BAD = FIXTURES / "bad-queries"
DATA = BAD / "small.ttl"

CASES = {
    "syntax-error.rq": (2, "{q}:3:3: SPARQL syntax error: cannot read the query from here on (found 'FILTER')\n"
                           "    FILTER(?o > )\n    ^\n"),
    "unknown-prefix.rq": (2, "{q}:2:18: SPARQL syntax error: undeclared prefix `cardfx:`\n"
                             "    ?s cardfx:label ?o\n                   ^\n"),
    "service.rq": (2, "the query calls a SERVICE, which would send data to another server; pass --allow-service if "
                      "you mean it\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_query_is_refused_with_a_located_message(name):
    code, message = CASES[name]
    result = run("query", BAD / name, "--data", DATA)
    assert result.exit_code == code
    assert result.stderr == "Error: " + message.replace("{q}", str(BAD / name))
    assert result.stdout == ""


def test_a_runaway_query_is_stopped_by_the_timeout():
    result = run("query", BAD / "runaway.rq", "--data", DATA, "--timeout", "1")
    assert result.exit_code == 3
    assert result.stderr == "Error: query timed out after 1 s\n"
    assert result.stdout == ""


def test_service_runs_only_when_allowed():
    # the service is a closed port on this machine's loopback: nothing leaves the machine
    result = run("query", BAD / "service.rq", "--data", DATA, "--allow-service", "--timeout", "20")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: the query failed: ")
