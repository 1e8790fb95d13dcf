"""The options that several commands share, defined once, and the click types that read them.

Every command stacks the bundles it needs (`@project_options`, `@input_options`,
`@output_options(…)`, `@common`), so an option is spelled, typed and documented the same way
everywhere: a base IRI is checked once by its type, a format may be named by its short
name, its long name or its media type (`ttl`, `turtle`, `text/turtle`; see cardf.formats),
`-` reads standard input, and `--out` is the build folder whichever command reads or writes it.
"""

from __future__ import annotations

import functools
import sys
import traceback
from pathlib import Path

import click

from .. import formats
from ..errors import CardfError
from ..iris import DEFAULT_BASE, valid_base
from ..resources import DATA_DIR, OUT_DIR

LANGUAGES = ("en", "ru")


def say(message: str = "", quiet: bool = False) -> None:
    """A message for the person at the terminal (stderr), unless --quiet."""
    if not quiet:
        click.echo(message, err=True)


# ----------------------------------------------------------------------------- types

class OptionError(click.ClickException):
    """A bad option value, told in cardf's one-line style (`Error: --base …`), exit 2."""

    exit_code = 2


def _option_name(param) -> str:
    return param.opts[0] if param is not None and getattr(param, "opts", None) else "value"


class BaseIRI(click.ParamType):
    """An http(s) IRI ending in `/`, under which cardf mints its IRIs."""

    name = "IRI"

    def convert(self, value, param, ctx):
        if not valid_base(value):
            raise OptionError(f"{_option_name(param)} must be an http(s) IRI ending in '/', got {value!r}")
        return value


class FormatName(click.ParamType):
    """One of a command's formats, by any name cardf.formats knows for it (`ttl`, `turtle`, `text/turtle`)."""

    name = "FORMAT"

    def __init__(self, choices: tuple[str, ...]):
        self.choices = choices

    def get_metavar(self, param, ctx=None):
        return "[" + "|".join(self.choices) + "]"

    def convert(self, value, param, ctx):
        chosen = formats.pick(value, self.choices)
        if chosen is None:
            raise OptionError(f"{_option_name(param)}: unknown format `{value}`; expected one of "
                              f"{', '.join(self.choices)} (or another name of one: ttl, turtle, text/turtle)")
        return chosen

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(c) for c in self.choices if c.startswith(incomplete)]


class FormatList(click.ParamType):
    """A comma-separated list of formats (`ttl,jsonld`), each by any of its names."""

    name = "LIST"

    def __init__(self, choices: tuple[str, ...]):
        self.choices = choices

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        items = [v.strip() for v in value.split(",") if v.strip()]
        picked = [formats.pick(v, self.choices) for v in items]
        unknown = [v for v, p in zip(items, picked) if p is None]
        if unknown or not items:
            raise OptionError(f"{_option_name(param)}: unknown format {', '.join(unknown) or '(empty)'}; expected "
                              f"a comma-separated list of {','.join(self.choices)}")
        return tuple(dict.fromkeys(picked))


RDF_INPUT = FormatName(formats.RDF_NAMES)
PATHS = click.Path(path_type=Path, allow_dash=True)


# ----------------------------------------------------------------------------- bundles

def stack(*decorators):
    """One decorator made of several, applied in the order written (the first is the top option in --help)."""
    def apply(fn):
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn
    return apply


def common(fn):
    """--quiet and --debug for every command, and the one place where errors become exit codes."""

    @click.option("--quiet", "-q", is_flag=True, help="Print nothing but results and errors.")
    @click.option("--debug", is_flag=True, help="Show the Python traceback of an error (for bug reports).")
    @functools.wraps(fn)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CardfError as exc:
            if debug:
                traceback.print_exc()
            lines = exc.lines()
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(f"  {line}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM during a build: say truly what became of the output
            from ..outdir import interruption

            message, code = interruption(exc)
            click.echo(message, err=True)
            sys.exit(code)
        except BrokenPipeError:  # the reader of stdout has gone (`| head`): it has what it wanted
            quiet_stdout()
            sys.exit(0)
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # a bug: keep the traceback out of the user's way unless asked
            if debug:
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}). "
                       "Run again with --debug and report the traceback.", err=True)
            sys.exit(70)

    return wrapper


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit after a broken pipe says nothing."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def base_option(fn):
    return click.option("--base", type=BaseIRI(), default=DEFAULT_BASE, show_default=True,
                        help="Base IRI of the resources cardf mints.")(fn)


def ontology_option(fn):
    return click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), default=None,
                        help="Ontology folder [default: ontology/, else cardf's own].")(fn)


def shapes_option(fn):
    return click.option("--shapes", type=click.Path(path_type=Path), default=None,
                        help="SHACL shapes file or folder [default: shapes/, else cardf's own].")(fn)


def data_option(fn):
    return click.option("--data", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
                        help="The sources: a folder with entities.yaml and articles/.")(fn)


project_options = stack(data_option, ontology_option, shapes_option, base_option)
"""Where the sources, ontology and shapes live, and the base IRI of minted resources."""


def out_option(help_text: str = "The build folder that `cardf build` wrote."):
    """--out, the build folder, with --dist (the name of old) kept as a hidden alias."""
    return stack(
        click.option("--out", type=click.Path(path_type=Path), default=None,
                     help=f"{help_text} [default: {OUT_DIR}/]"),
        click.option("--dist", "old_dist", type=click.Path(path_type=Path), default=None, hidden=True,
                     help="Old name of --out."))


def chosen_out(out: Path | None, old_dist: Path | None, quiet: bool = False) -> Path:
    """--out, else the old --dist (with a line saying it is deprecated), else the default build folder."""
    if old_dist is not None:
        say("Note: --dist is now called --out; --dist will go in a later release.", quiet)
        if out is None:
            return old_dist
    return out if out is not None else OUT_DIR


def input_options(fn):
    """--input-format for files whose extension does not tell (and for standard input, `-`)."""
    return click.option("--input-format", type=RDF_INPUT, default=None,
                        help="Format of the input when its extension does not tell, or of standard input (-): "
                             "turtle (ttl), ntriples (nt), nquads (nq), trig, jsonld, rdfxml, n3, or a media type "
                             "[default: from the extension; standard input is sniffed].")(fn)


def output_options(choices: tuple[str, ...], default: str | None, help_text: str, headers: bool = True):
    """--format (any name of one of `choices`) and, for tables, --no-headers."""
    options = [click.option("--format", "fmt", type=FormatName(choices), default=default,
                            show_default=default is not None, help=help_text)]
    if headers:
        options.append(click.option("--no-headers", is_flag=True, help="Leave out the header row (tables, csv, tsv)."))
    return stack(*options)


def lang_option(fn):
    return click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
                        help="Language of the labels shown for IRIs.")(fn)


def settings(data: Path, out: Path, ontology_dir: Path | None, shapes: Path | None, base: str,
             chosen_formats: tuple[str, ...] | None = None, store: bool = True):
    """The build settings the project options describe."""
    from ..build import Settings
    from ..export import FORMATS
    from ..resources import resource_dir

    return Settings(data=data, out=out, ontology=ontology_dir or resource_dir("ontology"),
                    shapes=shapes or resource_dir("shapes"), base=base, formats=chosen_formats or tuple(FORMATS),
                    store=store)


def existing(path: Path | None, name: str) -> Path | None:
    """An explicit path, else the project's folder of that name when there is one."""
    from ..resources import resource_dir

    if path is not None:
        return path
    found = resource_dir(name)
    return found if found.exists() else None
