"""The YAML front-end: positions, Kubernetes typing, and hostile input."""

import time

from meshlint.parse.yamlfront import MAX_DEPTH, RawFloat, c_parser_active, parse_yaml_bytes, text


def test_c_parser_is_active():
    # ruamel.yaml silently falls back to pure Python (~20x slower) without ruamel.yaml.clib
    assert c_parser_active()


def test_positions_of_keys_and_items():
    y = parse_yaml_bytes(b"a: 1\nb:\n  c: x\nd:\n  - p\n  - q: 1\n---\nkind: X\n", "f.yaml")
    assert y.error is None
    doc = y.documents[0].value
    assert doc.keypos["a"] == (1, 1)
    assert doc["b"].keypos["c"] == (3, 3)
    assert doc["d"].itempos == [(5, 5), (6, 5)]
    assert y.documents[1].line == 8 and y.documents[1].value["kind"] == "X"
    assert doc.path == "f.yaml"


def test_scalars_are_typed_like_kubernetes_and_keep_raw_text():
    doc = parse_yaml_bytes(b"v: 1.10\nq: '1.10'\nb: yes\nn: ~\ni: 80\ns: !!str 12\ny: y\n", "f").documents[0].value
    assert isinstance(doc["v"], RawFloat) and text(doc["v"]) == "1.10"
    assert doc["q"] == "1.10"
    assert doc["b"] is True
    assert doc["n"] is None
    assert doc["i"] == 80
    assert doc["s"] == "12"
    assert doc["y"] == "y"


def test_merge_keys():
    doc = parse_yaml_bytes(b"base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "f").documents[0].value
    assert doc["d"] == {"x": 1, "y": 3}


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    start = time.perf_counter()
    y = parse_yaml_bytes("\n".join(lines).encode(), "bomb.yaml")
    assert time.perf_counter() - start < 2
    assert y.error is not None and "alias" in y.error[2]


def test_deep_nesting_and_recursive_alias():
    deep = parse_yaml_bytes(b"- " * (MAX_DEPTH + 50) + b"x\n", "deep.yaml")
    assert deep.error and "nesting" in deep.error[2]
    rec = parse_yaml_bytes(b"&a [*a]\n", "rec.yaml")
    assert rec.error and "recursive" in rec.error[2]


def test_errors_carry_the_parser_line():
    tab = parse_yaml_bytes(b"a:\n  b: 1\n\tc: 2\n", "tab.yaml")
    assert tab.error[0] == 3
    enc = parse_yaml_bytes(b"a: 1\nb: \xff\xfe\n", "enc.yaml")
    assert enc.error[0] == 2
    unclosed = parse_yaml_bytes(b"a: [1, 2\nb: 3\n", "u.yaml")
    assert unclosed.error is not None


def test_documents_before_an_error_are_kept():
    y = parse_yaml_bytes(b"kind: A\n---\nkind: [\n", "f")
    assert y.error is not None
    assert [d.value["kind"] for d in y.documents] == ["A"]
