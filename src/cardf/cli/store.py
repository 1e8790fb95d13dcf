"""cardf load and serve: the build into a triple store, and the embedded store as a read-only SPARQL endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .options import PATHS, chosen_out, common, input_options, out_option, say


@click.command()
@click.argument("files", nargs=-1, type=PATHS)
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Load into the embedded store in DIR (created when missing).")
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 Graph Store Protocol endpoint, e.g. http://localhost:7878/store.")
@click.option("--update-endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 Update endpoint, for stores without the Graph Store Protocol.")
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="Load only this graph (and put triples of triple-only files into it).")
@click.option("--default-graph", is_flag=True, help="Load the union of all graphs into the default graph.")
@out_option("The build folder to load when no FILES are given.")
@input_options
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="How CARDF_USER/CARDF_PASSWORD are sent (CARDF_TOKEN is always a bearer token).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds one request may take in all, from connecting to the end of its answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Extra attempts after a 429/502/503/504 answer or a dropped connection, with backoff "
                   "(a request that must not be applied twice is not repeated: its graph starts again).")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Triples per request with --update-endpoint.")
@common
def load(files, store_dir, endpoint, update_endpoint, graph_iri, default_graph, out, old_dist, input_format, auth,
         timeout, retries, batch_size, quiet):
    """Load the build (or FILES, - for standard input) into a triple store, replacing each graph it holds.

    One graph per article, one for the entities, one for the ontology; loading twice
    leaves the store as loading once. Credentials come from the environment only:
    CARDF_USER and CARDF_PASSWORD, or CARDF_TOKEN.

    Example: cardf load --endpoint http://localhost:7878/store
    """
    from .. import store
    from .progress import LoadProgress

    targets = [name for name, value in (("--store", store_dir), ("--endpoint", endpoint),
                                        ("--update-endpoint", update_endpoint)) if value is not None]
    if len(targets) != 1:
        raise UsageError("give one of --store DIR, --endpoint URL or --update-endpoint URL"
                         + (f", not {' and '.join(targets)}" if targets else ""))
    if graph_iri is not None and default_graph:
        raise UsageError("--graph and --default-graph do not go together; choose one")
    if sum(1 for f in files if str(f) == "-") > 1:
        raise UsageError("standard input (-) can be read only once")
    build_folder = chosen_out(out, old_dist, quiet)
    target = None
    if store_dir is None:
        from .. import remote

        option, url = ("--endpoint", endpoint) if endpoint is not None else ("--update-endpoint", update_endpoint)
        target = remote.Endpoint(url, option, remote.credentials_from_env(auth=auth), timeout, retries)
    if target is None and graph_iri is None and not default_graph:  # an empty store parses the files itself
        inputs = store.input_files(list(files), build_folder, input_format)
        with LoadProgress(lambda: store.statements(inputs), quiet) as advance:
            result = store.load_files(store_dir, inputs, advance)
        if result is not None:
            say(result.summary(), quiet)
            return
    graphs = store.plan(store.read_inputs(list(files), build_folder, input_format), graph_iri, default_graph)
    with LoadProgress(store.total_triples(graphs), quiet) as advance:
        if target is None:
            result = store.load_store(store_dir, graphs, advance)
        elif endpoint is not None:
            from .. import remoteload

            result = remoteload.load_graph_store(target, graphs, advance)
        else:
            from .. import remoteload

            result = remoteload.load_update(target, graphs, batch_size, advance)
    say(result.summary(), quiet)


@click.command()
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="The store to serve [default: out/store, which cardf build writes].")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but a loopback address opens the store to the network.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on.")
@click.option("--union/--no-union", default=True, show_default=True,
              help="Let queries without GRAPH see all graphs (cardf keeps every triple in a named graph).")
@click.option("--timeout", type=click.IntRange(min=1), default=None, metavar="SECONDS",
              help="Stop queries that run longer than this.")
@click.option("--allow-service", is_flag=True,
              help="Let queries call remote SERVICEs (refused by default: they make the server fetch from elsewhere).")
@click.option("--site", "site_dir", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
              help="The site to serve at / (cardf site writes site/) [default: site/ when there is one].")
@click.option("--cors", is_flag=True, help="Let web pages from any origin query the endpoint and read the site.")
@common
def serve(store_dir, host, port, union, timeout, allow_service, site_dir, cors, quiet):
    """Serve the built store read-only: a SPARQL endpoint, and the site at / when there is one, until Ctrl-C.

    Runs the Oxigraph server (installed with cardf) on 127.0.0.1 unless --host says otherwise;
    with a site (cardf site), the site is at / and its query page at /sparql/; without one, / is
    Oxigraph's own query page. The endpoint is /query either way.

    Example: cardf serve --port 7878
    """
    from ..resources import OUT_DIR
    from ..serve import serve as run_server

    store_dir = store_dir if store_dir is not None else OUT_DIR / "store"
    if site_dir is not None and not (site_dir / "index.html").is_file():
        raise UsageError(f"--site: {site_dir} holds no site (no index.html); run `cardf site --out {site_dir}` first")
    site_dir = site_dir or (Path("site") if (Path("site") / "index.html").is_file() else None)
    shown = f"{site_dir}/ and {store_dir}" if site_dir else str(store_dir)

    def ready(served):
        say(f"Serving {shown} read-only at {served.url} (SPARQL endpoint: {served.query_url}). "
            "Press Ctrl-C to stop.", quiet)

    run_server(store_dir, host, port, union, timeout, on_ready=ready, echo=lambda line: say(line, quiet),
               allow_service=allow_service, site=site_dir, cors=cors)
    say("Stopped.", quiet)


commands = (load, serve)
