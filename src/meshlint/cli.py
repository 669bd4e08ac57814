"""Command line: `meshlint check`, `meshlint rules`, `meshlint rule CODE`.

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage, configuration or
internal error (one line on stderr; a traceback only with --debug).
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import sys

import click

from meshlint import __version__
from meshlint.rulescli import complete_codes, known_codes, rule_cmd, rules_cmd
from meshlint.severity import FailOn

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON_CHOICE = click.Choice([level.value for level in FailOn])


def _parse_date(value: str, what: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=what) from None


class _Commands(click.Group):
    """The command group, with commands a check never needs imported only when asked for
    (`meshlint data` brings JSON and the data store: start-up time of every other command)."""

    LAZY = {"data": ("meshlint.datacli", "data_cmd")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            import importlib

            module, name = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="meshlint")
def cli() -> None:
    """Lint Istio-on-Kubernetes infrastructure repositories before `terraform apply`."""


def _load_config(config_path: str | None, paths: list[str]):
    from meshlint.config import ConfigError, load_settings

    try:
        return load_settings(config_path, paths[0])
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def _options(paths, select, ignore, as_of, online, timeout, config_path, project: bool = True):
    from meshlint.engine import Options
    from meshlint.project import Plan, plan

    paths = _existing(paths)
    config = _load_config(config_path, paths)
    where = plan(paths) if project else Plan(list(paths), None, None)
    day = _parse_date(as_of, "--as-of") if as_of else (
        config.as_of or _as_of(None))
    opts = Options.configured(config, where.check_paths, day, known_codes(select, "--select"),
                              known_codes(ignore, "--ignore"), online=online or bool(config.online),
                              timeout=timeout, report_paths=where.report_paths,
                              identity_root=where.identity_root)
    reg_timeout = config.registries.get("timeout")
    if reg_timeout and timeout == 10.0:
        opts.timeout = float(reg_timeout)
    return opts


def timeout_given(ctx: click.Context) -> bool:
    """Was --timeout on the command line (not its default)?"""
    return ctx.get_parameter_source("timeout") == click.core.ParameterSource.COMMANDLINE


def _new_since_fingerprints(ref: str, options) -> set[str]:
    """Fingerprints of the findings at `ref`: the same project checked in that tree, with
    identities relative to the same place, so that unchanged findings match."""
    from msgspec.structs import replace

    from meshlint.engine import run
    from meshlint.vcs import GitError, before_history, checkout, repo_root

    try:
        root = repo_root(options.paths[0])
        if before_history(root, ref):
            click.echo(f"meshlint: {ref} is before the first commit: every finding is new", err=True)
            return set()
        with checkout(root, ref) as tree:
            def moved(path: str) -> str:
                return os.path.normpath(os.path.join(tree, os.path.relpath(os.path.realpath(path), root)))

            old_paths = [moved(p) for p in options.paths if os.path.exists(moved(p))]
            if not old_paths:
                return set()
            identity = moved(options.identity_root) if options.identity_root else None
            old = run(replace(options, paths=old_paths, baseline=None, cache=False,
                               report_paths=None, identity_root=identity))
            return {f.fingerprint for f in old.report.findings}
    except GitError as exc:
        raise click.ClickException(str(exc)) from None


FORMAT_CHOICES = ["text", "json", "sarif", "github", "junit", "auto"]

# The last run's result, held past the command: `main` leaves with os._exit, and letting the
# command's frame free a large model object by object costs more than a tenth of a cold run.
_last_run: list = []
# run as the `meshlint` program (main), not called in-process: the process ends with the command
_as_program = False


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text",
              show_default=True, help="Output format (auto: github inside GitHub Actions).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the report to FILE instead of standard output.")
@click.option("--style", type=click.Choice(["concise", "full"]), default=None,
              help="Text style: concise (one line per finding) or full (grouped by file, with the "
                   "source line and the fix) [default: full on a terminal, concise otherwise].")
@click.option("--color", "color_choice", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour text output (auto: on a terminal, unless NO_COLOR; "
                                      "FORCE_COLOR colours piped output).")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has instead of the findings (text or json).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line (text), no progress.")
@click.option("--select", multiple=True, shell_complete=complete_codes,
              help="Only these rule codes or prefixes (MESH4, MESH501).")
@click.option("--ignore", multiple=True, shell_complete=complete_codes,
              help="Skip these rule codes or prefixes.")
@click.option("--fail-on", type=FAIL_ON_CHOICE,
              default=None, help="Exit 1 when a finding has at least this severity [default: warning].")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Judge dates (end of life, newest releases) as of this day "
                   "[default: $MESHLINT_AS_OF or today].")
@click.option("--online", is_flag=True,
              help="Ask chart repositories and image registries (timeouts, cached).")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
              help="Seconds to wait for each online request.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Configuration file [default: .meshlint.yaml or pyproject.toml found upwards].")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False),
              help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Record the current findings (by fingerprint) in FILE and exit 0.")
@click.option("--new-since", metavar="REF",
              help="Report only findings that did not exist at this git ref.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Parallel parsing processes [default: the number of cores].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache of parsed files.")
@click.option("--show-fixes", is_flag=True,
              help="Put each finding's automatic fix in the report: text edits in JSON and SARIF "
                   "`fixes`, its title under the finding in the full text style.")
@click.option("--no-project", is_flag=True,
              help="Check PATHS alone, not in the context of the project around them "
                   "(the nearest .meshlint.yaml, [tool.meshlint] or .git).")
@click.option("--verbose", "-v", is_flag=True, help="Print scopes and notes.")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def check(paths, fmt, output, style, color_choice, statistics, quiet, select, ignore, fail_on, as_of,
          online, timeout, config_path, baseline, write_baseline, new_since, jobs, no_cache,
          show_fixes, no_project, verbose, debug) -> None:
    """Check PATHS (default: the current directory)."""
    from meshlint import baseline as baseline_mod
    from meshlint import filters
    from meshlint.engine import run
    from meshlint.report import resolve_format

    _writable(output, "--output")
    if statistics and resolve_format(fmt) not in ("text", "json"):
        raise click.UsageError("--statistics prints text or json: use --format text or --format json")
    _writable(write_baseline, "--write-baseline")
    if timeout_given(click.get_current_context()) and not online:
        raise click.UsageError("--timeout applies to online requests: add --online, or drop --timeout")
    options = _options(paths, select, ignore, as_of, online, timeout, config_path, not no_project)
    options.cache = not no_cache and os.environ.get("MESHLINT_NO_CACHE", "") == ""
    options.fixes = show_fixes
    options.models = show_fixes  # the report needs the models only to work out fixes
    options.cache_after_exit = _as_program  # written once the report is out (see _exit)
    if jobs:
        options.jobs = jobs
    if baseline:
        try:
            options.baseline = baseline_mod.load(baseline)
        except baseline_mod.BaselineError as exc:
            raise click.ClickException(str(exc)) from None
    if new_since:
        known = _new_since_fingerprints(new_since, options)
        options.baseline = (options.baseline or set()) | known
    progress = _progress_line(quiet)
    options.progress = progress
    try:
        result = run(options)
    finally:
        if progress is not None:
            progress.clear()
    _last_run[:] = [result]
    _say_when_nothing_read(paths or ["."], result.discovery, options.report_paths)
    if write_baseline:
        try:
            baseline_mod.write(write_baseline, result.report.findings)
        except OSError as exc:
            raise click.ClickException(f"cannot write the baseline to {write_baseline!r}: {exc.strerror}") from None
        click.echo(f"wrote {len(result.report.findings)} findings to {write_baseline}")
        sys.exit(EXIT_OK)
    if verbose:
        from meshlint.discover import directory_scopes  # a cached run left them uncut

        for scope in directory_scopes(result.discovery).scopes:
            roots = ", ".join(os.path.relpath(r) for r in scope.roots) or "no Terraform root"
            click.echo(f"scope {scope.name}: {len(scope.files)} files ({roots})", err=True)
            for folder, why in sorted(scope.reasons.items()):
                click.echo(f"  {folder}: {why}", err=True)
        for folder, why in sorted(result.discovery.set_aside.items()):
            click.echo(f"not a deployment: {folder}: {why}", err=True)
        if options.config.path:
            click.echo(f"configuration: {options.config.path}", err=True)
        click.echo("timing: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()), err=True)
        if "parse" in result.timings:
            from meshlint.parse.batch import STATS

            click.echo(f"files: {STATS['parsed']} parsed, {STATS['cached']} from the parse cache", err=True)
    text = _rendered(result.report, fmt, output, style, color_choice, statistics, quiet, verbose)
    if output:
        _write_text(output, text, "report")
    else:
        click.echo(text, nl=False, color=True)  # the reporter decided on colour: keep its codes
    report = result.report
    if options.baseline is not None and (baseline or new_since) and fmt in ("text",):
        click.echo(f"{report.baseline_matched} known findings hidden; {report.baseline_fixed} "
                   f"baseline entries are fixed.", err=True)
    threshold = fail_on or options.config.fail_on or FailOn.WARNING
    sys.exit(filters.exit_code(report.findings, threshold))


def _progress_line(quiet: bool):
    """A progress line on stderr, for a person at a terminal (never in pipes or CI logs)."""
    if quiet or not sys.stderr.isatty():
        return None
    from meshlint.report.progress import ProgressLine

    return ProgressLine(sys.stderr)


def _rendered(report, fmt: str, output: str | None, style: str | None, color_choice: str,
              statistics: bool, quiet: bool, verbose: bool) -> str:
    """The report in the format asked; text in the style and colours of where it goes."""
    from meshlint.report import render, resolve_format
    from meshlint.report.style import Palette, default_style, use_color

    to_terminal = output is None and sys.stdout.isatty()
    # FORCE_COLOR is for piped output; a report file gets colour only with --color always
    color = use_color(color_choice, to_terminal, os.environ) if output is None else color_choice == "always"
    if statistics:
        from meshlint.report import statsfmt

        if resolve_format(fmt) == "json":
            return statsfmt.render_json(report)
        return statsfmt.render_text(report, Palette(color))
    width = 100
    if to_terminal:
        import shutil  # only for a terminal's width (start-up time)

        width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
    return render(report, fmt, verbose=verbose, style=style or default_style(to_terminal),
                  color=color, quiet=quiet, width=width)


@cli.command("versions")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Resolve unpinned charts as of this day [default: $MESHLINT_AS_OF or today].")
@click.option("--online", is_flag=True, help="Resolve unpinned charts with the repositories' indexes.")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def versions_cmd(paths, fmt, as_of, online, debug) -> None:
    """Print every mesh component (Istio charts, Kiali, gateways, Kubernetes) per scope,
    with version, how it is pinned and where; then the drift between scopes."""
    from meshlint.engine import run
    from meshlint.report.inventoryfmt import render

    options = _options(paths, (), (), as_of, online, 10.0, None)
    options.select = ["MESH001"]
    result = run(options)
    models = result.models
    if options.report_paths is not None:  # a path inside a project: its scopes, seen in context
        from meshlint.project import within

        named = {scope.name for scope in result.discovery.scopes
                 if any(within(e.abspath, p) for e in scope.files for p in options.report_paths)}
        models = [m for m in models if m.scope in named]
    click.echo(render(models, fmt), nl=False)


def _say_when_nothing_read(paths, discovery, report_paths) -> None:
    """A green run over nothing is no news: say so (on stderr, the report stays clean)."""
    files = discovery.files
    if report_paths is not None:
        from meshlint.project import within

        files = [e for e in files if any(within(e.abspath, p) for p in report_paths)]
    if not files:
        named = ", ".join(paths)
        click.echo(f"meshlint: no files meshlint reads (Terraform, Helm, Kubernetes YAML) in {named}",
                   err=True)


cli.add_command(rules_cmd)
cli.add_command(rule_cmd)


def _existing(paths) -> list[str]:
    paths = list(paths) or ["."]
    for p in paths:
        if not os.path.exists(p):
            raise click.BadParameter(f"{p!r} does not exist", param_hint="PATHS")
    return paths


def _as_of(value: str | None) -> _dt.date:
    if value:
        return _parse_date(value, "--as-of")
    text = os.environ.get("MESHLINT_AS_OF")
    if not text:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise click.UsageError(f"MESHLINT_AS_OF={text!r} is not a date (YYYY-MM-DD)") from None


def _writable(path: str | None, option: str) -> None:
    """Fail before the run, not after it, when a report or baseline cannot be written."""
    if not path:
        return
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise click.BadParameter(f"{path!r} is a directory", param_hint=option)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise click.BadParameter(f"{path!r}: {directory!r} is not a directory", param_hint=option)
    if not os.path.isdir(directory):
        raise click.BadParameter(f"{path!r}: directory {directory!r} does not exist", param_hint=option)
    existed = os.path.exists(path)
    try:  # opening it, without truncating: permissions, /proc, read-only mounts, all at once
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise click.BadParameter(f"{path!r} cannot be written ({exc.strerror})", param_hint=option) from None
    if not existed:
        os.unlink(path)  # created only to try: the run writes it


def _write_text(path: str, text: str, what: str) -> None:
    """Write a report or baseline; a failure (a full disk, /dev/full) is one line, exit 2."""
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise click.ClickException(f"cannot write the {what} to {path!r}: {exc.strerror}") from None


@cli.command("diff")
@click.argument("old")
@click.argument("new", default=".")
@click.option("--path", "path", default=".", type=click.Path(),
              help="With git refs: the path inside the repository to check [default: .].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=FAIL_ON_CHOICE, default=None,
              help="Exit 1 when the change introduces a finding of at least this severity.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def diff_cmd(old, new, path, fmt, fail_on, as_of, config_path, debug) -> None:
    """Compare OLD and NEW (directories or git refs such as main, HEAD~3, a tag): component
    versions that changed per scope, findings introduced and findings resolved."""
    from meshlint import filters
    from meshlint.diffing import diff
    from meshlint.report.difffmt import render
    from meshlint.vcs import GitError

    options = _options([path], (), (), as_of, False, 10.0, config_path)
    try:
        result = diff(old, new, options, repo_hint=path)
    except GitError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(render(result, fmt), nl=False)
    threshold = fail_on or options.config.fail_on or FailOn.WARNING
    sys.exit(filters.exit_code(result.introduced, threshold))


@cli.command("fix")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff and change nothing (exit 1 when there is something to fix).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change what gets deployed.")
@click.option("--select", multiple=True, help="Only fix these rule codes or prefixes.")
@click.option("--ignore", multiple=True, help="Do not fix these rule codes or prefixes.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge versions as of this date (default: today).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def fix_cmd(paths, show_diff, unsafe_fixes, select, ignore, as_of, config_path, debug) -> None:
    """Fix findings in place, in the files where the values are written."""
    from meshlint.fix.command import fix_paths

    options = _options(paths, select, ignore, as_of, False, 10.0, config_path)
    sys.exit(fix_paths(options, show_diff, unsafe_fixes, lambda t: click.echo(t, nl=False),
                       lambda t: click.echo(t, err=True)))


@cli.command("lsp")
def lsp_cmd() -> None:
    """Run the language server on stdio (needs the `lsp` extra: pip install "meshlint[lsp]")."""
    try:
        from meshlint.lsp.server import serve  # lazy: pygls only for this command
    except ImportError as exc:
        raise click.ClickException(f"meshlint lsp needs pygls: pip install \"meshlint[lsp]\" ({exc})") from None
    serve()


def main() -> None:
    """Entry point: click's own errors exit 2; anything unexpected exits 2 in one line."""
    _exit(_main())


def _main() -> int:
    # A short-lived process whose objects form no cycles worth collecting: a collection
    # after the run would traverse the whole model (half a second on a big repository).
    # The `meshlint` command has switched it off before its imports (meshlint.__main__).
    gc.disable()
    global _as_program
    _as_program = True
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        # one line, as every error: the message and where help is, not the usage block
        where = exc.ctx.command_path if exc.ctx is not None else "meshlint"
        click.echo(f"Error: {exc.format_message()} (see '{where} --help')", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("meshlint: aborted", err=True)
        return EXIT_ERROR
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_ERROR)
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the one place internal errors are reported
        if debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(f"meshlint: internal error: {type(exc).__name__}: {message} "
                   "(run with --debug for details)", err=True)
        return EXIT_ERROR
    return EXIT_OK


def _exit(code: int) -> None:
    """Flush and leave without tearing down the interpreter: freeing a large model object
    by object takes longer than some whole runs, and nothing is left to clean up but the
    parse cache's writes, which a forked child finishes once the report is out."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        code = code or EXIT_ERROR
    from meshlint.forks import release

    release()
    os._exit(code)
