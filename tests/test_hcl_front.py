"""The HCL front-end: blocks, attributes and positions; errors with lines."""

from meshlint.parse.hclfront import parse_hcl_bytes


def test_blocks_attributes_and_positions():
    src = b'''# leading comment
resource "helm_release" "istiod" {
  chart = "istiod"
  set {
    name  = "a"
    value = "b"
  }
}
'''
    f = parse_hcl_bytes(src, "main.tf")
    assert f.error is None
    (blk,) = f.body.blocks
    assert (blk.type, blk.labels, blk.line, blk.col) == ("resource", ["helm_release", "istiod"], 2, 1)
    assert blk.body.attrs["chart"].line == 3
    (inner,) = blk.body.blocks_of("set")
    assert inner.body.attrs["value"].line == 6


def test_syntax_errors_have_a_line():
    f = parse_hcl_bytes(b'locals {\n  a = 1\n  b = \n}\nresource "x" {\n', "bad.tf")
    assert f.error is not None
    assert f.error[0] >= 3


def test_not_utf8():
    f = parse_hcl_bytes(b'locals {\n  a = "\xff"\n}\n', "bad.tf")
    assert f.error[:2] == (2, 8)
