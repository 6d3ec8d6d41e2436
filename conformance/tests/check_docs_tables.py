#!/usr/bin/env python3
"""Keeps two tables of the docs in step with the fixtures (a ctest test runs it).

1. docs/conformance.md, between `<!-- client-cases:begin -->` and `<!-- client-cases:end -->`: one
   row per client scenario (name, level, operation, resilience judges, title), in fixture order.
   The fixtures are the one place a level lives; the table is generated from them:
       conformance/tests/check_docs_tables.py ROOT --write
2. docs/destroy_room.md, between `<!-- precedence:begin -->` and `<!-- precedence:end -->`: one row
   per pair of neighbouring rows of the check table, naming the server case that shows which row
   wins, or why no request can break both. Every pair must be there, and every case named must
   exist in fixtures/conformance/server/.

Exits 1 with what differs.
"""
import json
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
write = "--write" in sys.argv[2:]
problems = []


def between(text, name):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in text or end not in text:
        problems.append(f"the markers {begin} and {end} are missing")
        return None
    start = text.index(begin) + len(begin)
    return start, text.index(end)


# 1. The client cases and their levels.
rows = ["| case | level | operation | resilience judges | what it checks |", "|---|---|---|---|---|"]
for path in sorted((root / "fixtures/conformance/client").glob("*.json")):
    for case in json.loads(path.read_text())["scenarios"]:
        judges = ", ".join(case.get("judges", [])) or "–"
        title = case.get("title", "").replace("|", "\\|")
        rows.append(f"| `{case['name']}` | {case['level']} | {case.get('op', 'destroy')} | {judges} | {title} |")
generated = "\n" + "\n".join(rows) + "\n"
conformance_md = root / "docs/conformance.md"
text = conformance_md.read_text()
span = between(text, "client-cases")
if span:
    if text[span[0]:span[1]] != generated:
        if write:
            conformance_md.write_text(text[:span[0]] + generated + text[span[1]:])
            print(f"{conformance_md}: the client cases' table rewritten from the fixtures")
        else:
            problems.append(f"{conformance_md}: the client cases' table differs from the fixtures; run "
                            "conformance/tests/check_docs_tables.py . --write")

# 2. The precedence of neighbouring rows.
server_cases = set()
for path in (root / "fixtures/conformance/server").glob("*.json"):
    server_cases.update(case["name"] for case in json.loads(path.read_text())["cases"])
destroy_md = root / "docs/destroy_room.md"
text = destroy_md.read_text()
rows_in_table = [int(m.group(1)) for m in re.finditer(r"^\| (\d+) \| ", text, re.M)]
span = between(text, "precedence")
if span:
    pairs = {}
    for line in text[span[0]:span[1]].splitlines():
        match = re.match(r"^\| (\d+) and (\d+) \| (.*) \|$", line)
        if match:
            pairs[(int(match.group(1)), int(match.group(2)))] = match.group(3)
    numbers = sorted(set(rows_in_table))
    for first, second in zip(numbers, numbers[1:]):
        said = pairs.get((first, second))
        if said is None:
            problems.append(f"{destroy_md}: rows {first} and {second} have no row in the precedence table")
            continue
        named = re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", said)
        if not named and "cannot" not in said:
            problems.append(f"{destroy_md}: rows {first} and {second}: name a case, or say why no request can break both")
        for name in named:
            if name not in server_cases:
                problems.append(f"{destroy_md}: rows {first} and {second}: no server case is named {name}")

for problem in problems:
    print(problem)
if not problems:
    print("the docs' client-case and precedence tables match the fixtures")
sys.exit(1 if problems else 0)
