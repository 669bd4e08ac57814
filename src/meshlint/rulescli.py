"""`meshlint rules` and `meshlint rule`: the catalog at the terminal, and the shell completion
of rule codes that `check` shares; `meshlint.cli` adds these commands to its group."""

from __future__ import annotations

import click


def known_codes(values, option: str) -> list[str]:
    """The codes of --select/--ignore; a code or prefix that names no rule is a usage error
    (a run filtered by a typo would be green whatever the files hold)."""
    from meshlint import filters
    from meshlint.knowledge import codes as catalog_codes

    codes = filters.normalise_codes(values)
    for code in codes:
        problem = filters.unknown_code(code, list(catalog_codes()))
        if problem:
            raise click.BadParameter(str(problem), param_hint=option)
    return codes


def complete_codes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for --select/--ignore and `rules`: rule codes and ALL, after the
    last comma of a comma-separated list."""
    from meshlint.knowledge import codes

    done, _, last = incomplete.rpartition(",")
    head = done + "," if done else ""
    return [head + code for code in ["ALL", *codes()] if code.startswith(last.upper())]


def complete_rule(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for `meshlint rule`: codes, then names."""
    from meshlint.knowledge import catalog

    docs = catalog().values()
    return ([d.id for d in docs if d.id.startswith(incomplete.upper())]
            + [d.name for d in docs if d.name.startswith(incomplete.lower())])


@click.command("rules")
@click.argument("selectors", nargs=-1, shell_complete=complete_codes)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              help="markdown: the rules' documentation, as in docs/rules.md.")
def rules_cmd(selectors, fmt) -> None:
    """List the rules (SELECTORS: codes, prefixes such as MESH4, or ALL; default: every rule)."""
    import json

    from meshlint import filters
    from meshlint.knowledge import catalog

    chosen = known_codes(selectors, "SELECTORS")
    docs = {code: d for code, d in catalog().items() if not chosen or filters.rule_selected(code, chosen, [])}
    if fmt == "json":
        click.echo(json.dumps([{"id": d.id, "name": d.name, "family": d.family,
                                "severity": d.severity, "summary": d.summary}
                               for d in docs.values()], indent=2))
        return
    if fmt == "markdown":
        from meshlint.report.ruledocs import markdown

        click.echo(markdown(docs.values()), nl=False)
        return
    width = max(len(d.name) for d in docs.values())
    click.echo(f"{'CODE':<8} {'NAME':<{width}} {'SEVERITY':<8} SUMMARY")
    for d in docs.values():
        click.echo(f"{d.id:<8} {d.name:<{width}} {d.severity:<8} {d.summary}")


@click.command("rule")
@click.argument("code", shell_complete=complete_rule)
def rule_cmd(code) -> None:
    """Show the documentation of one rule, by code (MESH501) or name (multi-nat-gateway)."""
    from meshlint.knowledge import catalog, rule_doc

    doc = rule_doc(code) or next((d for d in catalog().values() if d.name == code.lower()), None)
    if doc is None:
        raise click.BadParameter(f"no rule {code!r} (see `meshlint rules`)", param_hint="CODE")
    click.echo(f"{doc.id} {doc.name} ({doc.severity}, family {doc.family})\n")
    click.echo(f"{doc.summary}\n")
    click.echo("Why it matters\n" + _indent(doc.description) + "\n")
    click.echo("How to fix\n" + _indent(doc.fix) + "\n")
    click.echo(f"Automatic fix: {doc.autofix or 'none'} (meshlint fix)\n")
    click.echo("Example\n" + _indent(doc.example))
    if doc.references:
        click.echo("\nReferences\n" + "\n".join(f"  {r}" for r in doc.references))


def _indent(s: str) -> str:
    return "\n".join(("  " + line) if line.strip() else "" for line in s.splitlines())
