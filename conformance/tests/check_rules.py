#!/usr/bin/env python3
"""Every rule of the docs has a server case (docs/conformance.md, "Rules"). A ctest test runs it.

A rule is a statement of docs/destroy_room.md, room-lifecycle.md, room-family.md, webhooks.md or
the section "Occupancy and self-dissolving rooms" of control-api.md that carries a stable id,
written `rule:<id>` in a code span next to it. A server case names the rules it checks in its
`rules` (fixtures/conformance/server/*.json).

Fails when:
- an id is written twice in the docs, or a case names an id the docs do not have;
- a case names no rule;
- a rule has no case, unless conformance/tests/rules_pending.txt lists it (one id per line, with why);
  a listed rule that has a case is an error too, so the list only shrinks.

    conformance/tests/check_rules.py ROOT [--list]

--list prints every rule with its cases, per document.
"""
import json
import pathlib
import re
import sys

DOCS = ["docs/destroy_room.md", "docs/room-lifecycle.md", "docs/room-family.md", "docs/webhooks.md",
        ("docs/control-api.md", "## Occupancy and self-dissolving rooms")]
TAG = re.compile(r"`rule:([a-z0-9][a-z0-9.-]*)`")


def documented_rules(root, problems=None):
    """{rule id: document} of the docs under ROOT (scripts/mutation reads them here too). Adds to
    PROBLEMS an id written twice and a document without rules."""
    problems = [] if problems is None else problems
    rules = {}
    for doc in DOCS:
        path, section = doc if isinstance(doc, tuple) else (doc, None)
        text = (pathlib.Path(root) / path).read_text()
        if section:
            start = text.index(section)
            end = text.find("\n## ", start + len(section))
            text = text[start:end if end != -1 else len(text)]
        elif TAG.search(text) is None:
            problems.append(f"{path}: no rules")
        for rule in TAG.findall(text):
            if rule in rules:
                problems.append(f"rule {rule} is written twice ({rules[rule]} and {path})")
            rules[rule] = path
    return rules


def main():
    root = pathlib.Path(sys.argv[1])
    problems = []
    rules = documented_rules(root, problems)

    cases = {}  # id -> case names
    for path in sorted((root / "fixtures/conformance/server").glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            named = case.get("rules", [])
            if not named:
                problems.append(f"{path.name}: case {case['name']} names no rule")
            for rule in named:
                if rule not in rules:
                    problems.append(f"{path.name}: case {case['name']} names {rule}, which no document has")
                cases.setdefault(rule, []).append(case["name"])

    pending = {}
    pending_path = root / "conformance/tests/rules_pending.txt"
    if pending_path.exists():
        for line in pending_path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                rule, _, why = line.partition(" ")
                pending[rule] = why.strip()
    for rule in pending:
        if rule not in rules:
            problems.append(f"rules_pending.txt lists {rule}, which no document has")
        elif rule in cases:
            problems.append(f"rules_pending.txt lists {rule}, which has a case now ({cases[rule][0]}): remove it from the list")

    for rule, path in rules.items():
        if rule not in cases and rule not in pending:
            problems.append(f"{path}: rule {rule} has no server case (name it in a case's \"rules\")")

    if "--list" in sys.argv[2:]:
        for rule, path in rules.items():
            shown = cases.get(rule, [])
            print(f"{path}  {rule}: {len(shown)} cases" + (f" ({', '.join(shown[:3])}{', …' if len(shown) > 3 else ''})" if shown else
                                                            f" PENDING: {pending.get(rule, '')}"))
    per_doc = {}
    for rule, path in rules.items():
        covered, total = per_doc.get(path, (0, 0))
        per_doc[path] = (covered + (rule in cases), total + 1)
    print("rules with a server case: " + ", ".join(f"{path} {c}/{t}" for path, (c, t) in per_doc.items()))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
