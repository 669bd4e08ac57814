"""`meshlint data` (which facts are in force, from where, as of when) and `meshlint data
update` (refresh some of them from their public sources; the only command besides
`--online` that opens connections)."""

from __future__ import annotations

import datetime as _dt
import json
import os

import click



def _today(value: str | None) -> _dt.date:
    raw = value or os.environ.get("MESHLINT_AS_OF")
    try:
        return _dt.date.fromisoformat(raw) if raw else _dt.date.today()
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None


@click.group("data", invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Say which tables are stale on this day [default: $MESHLINT_AS_OF or today].")
@click.pass_context
def data_cmd(ctx: click.Context, fmt: str, as_of: str | None) -> None:
    """Show, per data table, what is in force: shipped with meshlint or refreshed into the
    user cache by `meshlint data update`, and as of when."""
    from meshlint import knowledge  # lazy: `meshlint --version` and `check` need none of it
    from meshlint.knowledge.store import REFRESHABLE

    if ctx.invoked_subcommand is not None:
        return
    day = _today(as_of)
    stale = {t.name for t in knowledge.stale_tables(day)}
    rows: list[dict[str, str | bool]] = []
    for name in knowledge.data_names():
        current = knowledge.in_force(name)
        rows.append({"table": name, "as_of": current.table.as_of.isoformat(), "origin": current.origin,
                     "path": str(current.path), "stale": name in stale, "note": current.ignored})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(str(r["table"])) for r in rows)
    for r in rows:
        hint = "run `meshlint data update`" if r["table"] in REFRESHABLE else "a newer meshlint may have newer facts"
        flag = f"  (stale: {hint})" if r["stale"] else ""
        click.echo(f"{r['table']:<{width}}  as of {r['as_of']}  {r['origin']:<7}  {r['path']}{flag}")
        if r["note"]:
            click.echo(f"{'':<{width}}  {r['note']}")


@data_cmd.command("update")
@click.option("--url", "urls", multiple=True, metavar="TABLE=URL",
              help="Fetch TABLE from URL instead of its public source (repeatable).")
@click.option("--only", "only", multiple=True, metavar="TABLE", help="Refresh only these tables.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="The day the refreshed tables are as of [default: $MESHLINT_AS_OF or today].")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
              help="Seconds to wait for each request.")
def update_cmd(urls: tuple[str, ...], only: tuple[str, ...], as_of: str | None, timeout: float) -> None:
    """Refresh the Istio release and patch tables, the Kiali compatibility table and the EKS
    calendar from istio.io, the Istio chart index, kiali.io and endoflife.date. What does not
    download or validate leaves the data in force unchanged."""
    # imported here: requests and the update code load only for this command
    from meshlint.datasync import DEFAULT_URLS, update
    from meshlint.online import HttpClient

    chosen = dict(DEFAULT_URLS)
    for item in urls:
        name, sep, url = item.partition("=")
        if not sep or name not in DEFAULT_URLS:
            raise click.BadParameter(f"{item!r}: expected TABLE=URL with TABLE one of {', '.join(DEFAULT_URLS)}",
                                     param_hint="--url")
        chosen[name] = url
    if only:
        unknown = set(only) - set(DEFAULT_URLS)
        if unknown:
            raise click.BadParameter(f"{', '.join(sorted(unknown))}: not refreshable", param_hint="--only")
        chosen = {k: v for k, v in chosen.items() if k in only}
    client = HttpClient(timeout=(min(3.05, timeout), timeout))
    results = update(chosen, _today(as_of), client)
    for r in results:
        click.echo(f"{r.table}: {'updated' if r.ok else 'FAILED'} from {r.url}: {r.message}")
    if not all(r.ok for r in results):
        raise SystemExit(1)
