"""JUnit XML: a testcase per rule x object (a failure for each finding), and one passing
testcase per rule that ran and found nothing, so CI dashboards show what was checked."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from meshlint.findings import Report
from meshlint.report.safety import neutralise_xml

_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(s: str) -> str:
    return _INVALID_XML.sub("?", s)


def render(report: Report, **_) -> str:
    from meshlint.knowledge import catalog  # lazy: only JUnit output names rules it did not see

    docs = catalog()
    by_case: dict[tuple[str, str], list] = {}
    for f in report.findings:
        by_case.setdefault((f.rule, f.object or f.location.path), []).append(f)
    cases = []
    for (rule, obj), found in sorted(by_case.items()):
        case = ET.Element("testcase", classname=f"meshlint.{rule}", name=_x(f"{rule} {obj}"),
                          file=_x(found[0].location.path), line=str(found[0].location.line))
        for f in found:
            failure = ET.SubElement(case, "failure", message=_x(f.message[:500]), type=f.severity)
            failure.text = _x(f"{f.location}: {f.rule} [{f.severity}] {f.message}")
        cases.append(case)
    failing_rules = {rule for rule, _ in by_case}
    for rule in sorted(set(report.rules_run) - failing_rules):
        name = docs[rule].name if rule in docs else rule
        cases.append(ET.Element("testcase", classname=f"meshlint.{rule}", name=f"{rule} {name}"))
    failures = sum(len(v) for v in by_case.values())
    suites = ET.Element("testsuites", name="meshlint", tests=str(len(cases)), failures=str(failures))
    suite = ET.SubElement(suites, "testsuite", name="meshlint", tests=str(len(cases)),
                          failures=str(failures), errors="0", skipped="0")
    suite.extend(cases)
    ET.indent(suites)
    return neutralise_xml('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n")
