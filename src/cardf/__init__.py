"""cardf: diplomacy news articles as validated, queryable linked data.

The Python API (`cardf.Project(…).build()`, `cardf.open`, `cardf.validate`, `Build.query`, …)
lives in cardf.api and is loaded on first use, so that `import cardf` and the command line stay
quick. Its names never shadow a module of the package (cardf.build and cardf.query are modules).
"""

__version__ = "0.1.0"

_API = ("Build", "CardfError", "InputError", "NotConforming", "Project", "Rows", "UsageError", "open", "validate")
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'cardf' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
