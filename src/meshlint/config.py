"""Configuration: `.meshlint.yaml` (or `[tool.meshlint]` in pyproject.toml), strictly checked.

Found by walking up from the first checked path; `--config FILE` overrides. Unknown keys
and bad values are errors with file and line (exit 2), never silently ignored. The JSON
Schema for editors ships as `meshlint/schema/meshlint-config.schema.json`; a test keeps
it and this validator in agreement.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

from msgspec import Struct, field

from meshlint.discover import DEFAULT_MAX_FILE_BYTES
from meshlint.filters import unknown_code
from meshlint.project import CONFIG_NAMES, search_upwards
from meshlint.severity import FAIL_ON, SEVERITIES
from meshlint.values import YMap

_CODE = re.compile(r"^(MESH[0-9]{0,3}|ALL)$")


def _known_codes() -> list[str]:
    # imported here: the rule catalog is listed only when a configuration names codes
    from meshlint.knowledge import codes

    return list(codes())


class ConfigError(Exception):
    """A configuration problem, with the place it was found."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class Config(Struct):
    path: str | None = None  # the file it came from
    base: str = "."  # globs are relative to this directory
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    scopes: dict[str, list[str]] = field(default_factory=dict)
    fail_on: str | None = None
    as_of: _dt.date | None = None
    online: bool | None = None
    max_file_bytes: int | None = None
    registries: dict = field(default_factory=dict)
    # injection.ignore-namespaces: namespaces (or `*` patterns) MESH401 does not report,
    # instead of the built-in infrastructure list; None keeps that list
    ignore_namespaces: list[str] | None = None
    notes: list[str] = field(default_factory=list)  # settings ignored, and why


# Settings that open the network, send credentials, weaken TLS or raise resource limits: a
# checked tree is hostile input, so they count only from the command line or the user's
# own configuration file, never from a repository's.
PRIVILEGED = ("online", "max-file-bytes", "registries.insecure", "registries.use-docker-config",
              "registries.timeout")


# The most `max-file-bytes` can be raised to, whoever sets it: past this, one file's parse
# alone outgrows the memory a run may use (issue 15, "Must hold": under 500 MB)
MAX_FILE_BYTES_CAP = 64 * 1024 * 1024


KEYS = ("select", "ignore", "severity", "per-path-ignores", "exclude", "scopes", "fail-on",
        "as-of", "online", "max-file-bytes", "registries", "injection")
REGISTRY_KEYS = ("timeout", "insecure", "use-docker-config", "cache-ttl")


def find_config(start: str) -> str | None:
    """The nearest .meshlint.yaml, or pyproject.toml with [tool.meshlint], upwards."""
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for directory in search_upwards(here):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return str(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if re.search(r"^\s*\[tool\.meshlint\]", text, re.M):
                return str(pyproject)
        if (directory / ".git").exists():
            break  # the repository root: do not read configuration outside it
    return None


def user_config_path() -> Path:
    """The user's own configuration: $XDG_CONFIG_HOME/meshlint/config.yaml (~/.config/...)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "meshlint" / "config.yaml"


def load_settings(config_path: str | None, first_path: str) -> Config:
    """The configuration a run uses: the repository's (found from `first_path`, or named with
    `--config`) with its privileged settings dropped, then the user's own file on top."""
    path = config_path or find_config(first_path)
    config = load_config(path) if path else Config()
    user = user_config_path()
    if user.is_file():
        trusted = load_config(str(user))
        return _with_privileged(config, trusted)
    return config


def _with_privileged(config: Config, trusted: Config) -> Config:
    if trusted.online is not None:
        config.online = trusted.online
    if trusted.max_file_bytes is not None:
        config.max_file_bytes = trusted.max_file_bytes
    config.notes.extend(trusted.notes)
    for key in ("insecure", "use-docker-config", "timeout"):
        if key in trusted.registries:
            config.registries[key] = trusted.registries[key]
    return config


def untrusted(config: Config) -> Config:
    """`config` as read from a checked tree: privileged settings dropped, with a note each."""
    where = config.path or "repository configuration"
    if config.online is not None:
        if config.online:
            config.notes.append(f"{where}: `online` is ignored in a repository's configuration "
                                "(use --online or the user configuration)")
        config.online = None
    if config.max_file_bytes is not None and config.max_file_bytes > DEFAULT_MAX_FILE_BYTES:
        config.notes.append(f"{where}: `max-file-bytes` above {DEFAULT_MAX_FILE_BYTES:,} is ignored in a "
                            f"repository's configuration: the limit stays {DEFAULT_MAX_FILE_BYTES:,} bytes "
                            f"unless {user_config_path()} raises it")
        config.max_file_bytes = None
    for key in ("insecure", "use-docker-config", "timeout"):
        if key in config.registries:
            config.notes.append(f"{where}: `registries.{key}` is ignored in a repository's configuration "
                                f"(set it in {user_config_path()})")
            del config.registries[key]
    return config


def load_config(path: str) -> Config:
    """A configuration file, validated; privileged settings dropped unless it is the user's own."""
    config = _load_any(path)
    try:
        own = Path(path).resolve() == user_config_path().resolve()
    except OSError:
        own = False
    return _capped(config) if own else untrusted(config)


def _capped(config: Config) -> Config:
    """The user's own configuration with `max-file-bytes` held to the hard cap (a repository's
    is dropped whole above the default, see `untrusted`)."""
    if config.max_file_bytes is not None and config.max_file_bytes > MAX_FILE_BYTES_CAP:
        config.notes.append(f"{config.path}: `max-file-bytes` {config.max_file_bytes:,} is over the hard cap "
                            f"of {MAX_FILE_BYTES_CAP:,} bytes; the cap is used")
        config.max_file_bytes = MAX_FILE_BYTES_CAP
    return config


def _load_any(path: str) -> Config:
    if path.endswith(".toml"):
        return _load_toml(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(path, 1, f"cannot read configuration: {exc.strerror}") from None
    from meshlint.parse.yamlfront import (
        parse_yaml_bytes,  # only a configuration file needs YAML
    )

    parsed = parse_yaml_bytes(data, path)
    if parsed.error:
        line, _col, message = parsed.error
        raise ConfigError(path, line, f"invalid YAML: {message}")
    if not parsed.documents or parsed.documents[0].value is None:
        return Config(path=path, base=os.path.dirname(os.path.abspath(path)))
    doc = parsed.documents[0].value
    if not isinstance(doc, YMap):
        raise ConfigError(path, parsed.documents[0].line, "the configuration must be a mapping")
    return _validate(doc, path, lambda key, mapping=doc: mapping.key_line(key) if isinstance(mapping, YMap) else 1)


def _load_toml(path: str) -> Config:
    import tomllib

    try:
        raw = Path(path).read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, getattr(exc, "lineno", 1) or 1, f"invalid TOML: {exc}") from None
    text = raw.decode("utf-8")
    tool = data.get("tool", {})
    section = tool.get("meshlint", {}) if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        m = re.search(r"^\s*(\[+\s*tool\b|tool\b|\[+\s*tool\.meshlint\b)", text, re.M)
        line = text.count("\n", 0, m.start()) + 1 if m else 1
        raise ConfigError(path, line, "[tool.meshlint] must be a table (and `tool` a table holding it)")

    def line_of(key, mapping=None) -> int:
        m = re.search(rf'^\s*"?{re.escape(str(key))}"?\s*=', text, re.M)
        return text.count("\n", 0, m.start()) + 1 if m else 1

    return _validate(section, path, line_of)


def _validate(doc, path: str, line_of) -> Config:
    cfg = Config(path=path, base=os.path.dirname(os.path.abspath(path)))

    def fail(key, message, mapping=None):
        raise ConfigError(path, line_of(key, mapping) if mapping is not None else line_of(key), message)

    for key in doc:
        if not isinstance(key, str) or key not in KEYS:
            close = [k for k in KEYS if k.replace("-", "_") == str(key).replace("-", "_")]
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(KEYS)}"
            fail(key, f"unknown key {key!r}{hint}")

    def codes(key):
        value = doc[key]
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            fail(key, f"{key} must be a list of rule codes or prefixes (like MESH4)")
        for c in value:
            problem = unknown_code(c.strip().upper(), _known_codes())
            if problem:
                fail(key, f"{key}: {problem}")
        return [c.strip().upper() for c in value]

    def globs(key, value, mapping=None):
        if not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
            fail(key, f"{key} must be a list of glob patterns", mapping)
        return list(value)

    if "select" in doc:
        cfg.select = codes("select")
    if "ignore" in doc:
        cfg.ignore = codes("ignore")
    if "severity" in doc:
        sev = doc["severity"]
        if not isinstance(sev, dict):
            fail("severity", "severity must map rule codes to info, warning or error")
        for code, level in sev.items():
            if not re.match(r"^MESH[0-9]{3}$", str(code)):
                fail(code, f"{code!r} is not a rule code", sev)
            problem = unknown_code(str(code), _known_codes(), exact=True)
            if problem:
                fail(code, f"severity: {problem}", sev)
            if level not in SEVERITIES:
                fail(code, f"severity of {code} must be one of {', '.join(SEVERITIES)}", sev)
            cfg.severity[str(code)] = level
    if "per-path-ignores" in doc:
        ppi = doc["per-path-ignores"]
        if not isinstance(ppi, dict):
            fail("per-path-ignores", "per-path-ignores must map glob patterns to lists of codes")
        for pattern, value in ppi.items():
            if not isinstance(value, list) or not all(isinstance(c, str) and _CODE.match(c.upper()) for c in value):
                fail(pattern, f"per-path-ignores[{pattern!r}] must be a list of rule codes or prefixes", ppi)
            for c in value:
                problem = unknown_code(c.upper(), _known_codes())
                if problem:
                    fail(pattern, f"per-path-ignores[{pattern!r}]: {problem}", ppi)
            cfg.per_path_ignores[str(pattern)] = [c.upper() for c in value]
    if "exclude" in doc:
        cfg.exclude = globs("exclude", doc["exclude"])
    if "scopes" in doc:
        scopes = doc["scopes"]
        if not isinstance(scopes, dict) or not scopes:
            fail("scopes", "scopes must map scope names to lists of glob patterns")
        for name, value in scopes.items():
            cfg.scopes[str(name)] = globs(name, value, scopes)
    if "fail-on" in doc:
        if doc["fail-on"] not in FAIL_ON:
            fail("fail-on", f"fail-on must be one of {', '.join(FAIL_ON)}")
        cfg.fail_on = doc["fail-on"]
    if "as-of" in doc:
        value = doc["as-of"]
        try:
            if isinstance(value, _dt.datetime):
                raise ValueError("a date and time")  # TOML/YAML datetimes are dates too
            cfg.as_of = value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))
        except ValueError:
            fail("as-of", f"as-of must be a date (YYYY-MM-DD), not {value!r}")
    if "online" in doc:
        if not isinstance(doc["online"], bool):
            fail("online", "online must be true or false")
        cfg.online = doc["online"]
    if "max-file-bytes" in doc:
        value = doc["max-file-bytes"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1024:
            fail("max-file-bytes", "max-file-bytes must be a whole number of at least 1024")
        cfg.max_file_bytes = value  # held to the hard cap where it counts (load_config)
    if "registries" in doc:
        reg = doc["registries"]
        if not isinstance(reg, dict):
            fail("registries", "registries must be a mapping")
        for key, value in reg.items():
            if key not in REGISTRY_KEYS:
                fail(key, f"unknown registries key {key!r}; known: {', '.join(REGISTRY_KEYS)}", reg)
            if key in ("timeout", "cache-ttl") and (not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0):
                fail(key, f"registries.{key} must be a positive number of seconds", reg)
            if key == "insecure" and (not isinstance(value, list) or not all(isinstance(h, str) for h in value)):
                fail(key, "registries.insecure must be a list of host[:port]", reg)
            if key == "use-docker-config" and not isinstance(value, bool):
                fail(key, "registries.use-docker-config must be true or false", reg)
        cfg.registries = {str(k): v for k, v in reg.items()}
    if "injection" in doc:
        inj = doc["injection"]
        if not isinstance(inj, dict):
            fail("injection", "injection must be a mapping")
        for key in inj:
            if key != "ignore-namespaces":
                fail(key, f"unknown injection key {key!r}; known: ignore-namespaces", inj)
        names = inj.get("ignore-namespaces")
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            fail("ignore-namespaces", "injection.ignore-namespaces must be a list of namespace names "
                 "or patterns", inj)
        cfg.ignore_namespaces = [str(n) for n in names]
    return cfg


# --- globs ---------------------------------------------------------------------------------


class Glob:
    """A configuration glob, matched segment by segment with a memo: O(pattern x path)
    however many `**` it holds (a regular expression backtracks exponentially on
    `**/**/**/...` against a deep path).

    `**` crosses directories (as a whole segment; inside a segment it acts as `*`), `*` and
    `?` do not; a pattern without `/` matches a name at any depth (as in .gitignore); a
    trailing `/` matches a directory and its contents. A pattern also matches everything
    under a directory it matches."""

    __slots__ = ("segments",)

    def __init__(self, pattern: str):
        p = pattern.strip()
        anchored = "/" in p.rstrip("/")
        if p.endswith("/"):
            p += "**"
        segments = p.lstrip("/").split("/")
        self.segments = segments if anchored else ["**", *segments]

    def match(self, relpath: str) -> bool:
        path = relpath.split("/")
        pat = self.segments
        last = len(pat) - 1
        memo: dict[tuple[int, int], bool] = {}

        def at(pi: int, si: int) -> bool:
            if pi > last:
                return True  # the rest of the path lies under a matched directory
            key = (pi, si)
            hit = memo.get(key)
            if hit is not None:
                return hit
            seg = pat[pi]
            if seg == "**":
                # a final `dir/**` needs one more segment; elsewhere `**` may match none
                lo = si + 1 if pi == last and pi > 0 else si
                result = any(at(pi + 1, k) for k in range(lo, len(path) + 1)) if pi < last \
                    else lo <= len(path)
            else:
                result = si < len(path) and _segment_match(seg.replace("**", "*"), path[si]) and at(pi + 1, si + 1)
            memo[key] = result
            return result

        return at(0, 0)


def _segment_match(pattern: str, name: str) -> bool:
    """`*` and `?` within one path segment, greedy with one backtrack point (linear-ish,
    never exponential)."""
    p = n = 0
    star = mark = -1
    while n < len(name):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == name[n]):
            p += 1
            n += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, n
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            n = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def glob_regex(pattern: str) -> Glob:
    """The matcher of one glob (the name predates `Glob`; it is no regular expression)."""
    return Glob(pattern)


def matches_any(patterns: list[str], relpath: str) -> bool:
    return any(Glob(p).match(relpath) for p in patterns)
