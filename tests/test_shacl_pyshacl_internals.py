"""The pySHACL internals cardf.shacl relies on are there, as cardf calls them.

cardf.shacl hands suspects to pySHACL's own code so that each finding is pySHACL's (judge.py)
and reads its shapes through pySHACL's objects (compile.py). pyproject.toml pins pySHACL
exactly; when a new release is tried, this file says at once which internal moved, before
any comparison of findings does (tests/test_fastshacl.py compares findings on real data).
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest

PINNED = "0.40.1"

# (module, attribute path, the parameters cardf passes, in order)
USED = [
    ("pyshacl.shape", "Shape.focus_nodes", ["self", "data_graph", "debug"]),  # replaced while judging (judge.only_foci)
    ("pyshacl.shape", "Shape.target", ["self"]),
    ("pyshacl.shape", "Shape.path", ["self"]),
    ("pyshacl.shape", "Shape.find_custom_constraints", ["self"]),
    ("pyshacl.shape", "Shape.target_objects_of", ["self"]),
    ("pyshacl.shapes_graph", "ShapesGraph.lookup_shape_from_node", ["self", "node"]),
    ("pyshacl.constraints.sparql.sparql_based_constraints", "SPARQLBasedConstraint.__init__", ["self", "shape"]),
    ("pyshacl.constraints.sparql.sparql_based_constraints", "SPARQLBasedConstraint.make_v_result",
     ["self", "datagraph", "focus_node", "value_node", "result_path", "constraint_component", "source_constraint",
      "extra_messages", "bound_vars"]),
    ("pyshacl.helper.sparql_query_helper", "SPARQLQueryHelper.pre_bind_variables",
     ["self", "thisnode", "valuenode", "extravars"]),
    ("pyshacl.helper.sparql_query_helper", "SPARQLQueryHelper.apply_prefixes", ["self", "sparql"]),
    ("pyshacl.validator", "Validator.create_validation_report", ["sg", "conforms", "results"]),
    ("pyshacl.graph_abstraction", "DataGraph.from_rdflib", ["source"]),
    ("pyshacl.rdfutil.compare", "compare_literal", ["l1", "l2"]),
]


def test_the_pinned_pyshacl_is_installed():
    assert version("pyshacl") == PINNED, (
        f"pySHACL {version('pyshacl')} is installed; cardf.shacl was checked against {PINNED}. Run this file, "
        "then tests/test_fastshacl.py, and update the pin in pyproject.toml and PINNED here together.")


@pytest.mark.parametrize("module, path, parameters", USED, ids=[u[1] for u in USED])
def test_each_internal_that_cardf_uses_is_there(module, path, parameters):
    import importlib

    found = importlib.import_module(module)
    for name in path.split("."):
        assert hasattr(found, name), f"pySHACL no longer has {module}.{path}: see cardf/shacl/judge.py and compile.py"
        found = getattr(found, name)
    assert list(inspect.signature(found).parameters) == parameters, f"{module}.{path} takes other parameters now"


def test_the_constraint_parameters_and_shape_attributes_cardf_reads():
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
    from pyshacl.shape import Shape

    from cardf.shacl.report import SH

    assert {SH.minCount, SH.datatype, SH["in"], SH.pattern, SH.closed, SH.sparql} <= set(ALL_CONSTRAINT_PARAMETERS)
    for attribute in ("is_property_shape", "deactivated", "node"):
        assert hasattr(Shape, attribute), attribute
