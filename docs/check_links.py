#!/usr/bin/env python3
"""The repository explains itself: no tracked file points outside the clone, and no link inside it
is broken. A ctest test runs it over the repository; another runs --self-test, which builds small
broken trees and checks that each defect is reported.

Fails (exit 1, one line per problem: file:line: what) when a tracked file
  - mentions the read-only reference folder that sits beside the clone (by its relative path, or
    its spec/ and seed/ folders);
  - has a relative Markdown link that leaves the repository, names a missing file, or names a
    heading (#anchor) that the target does not have;
  - cites a `docs/<page>.md` that does not exist.

    check_links.py [ROOT]      check ROOT (default: the repository this file is in)
    check_links.py --self-test
"""

import os
import re
import subprocess
import sys
import tempfile

# Spelled in pieces so that this file does not match itself.
OUTSIDE_PATTERNS = [re.compile(p) for p in (r"\.\./" + "shared\\b", "shared/" + "spec/", "shared/" + "seed/")]
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
DOCS_CITATION = re.compile(r"(?<![\w./-])docs/([\w.-]+\.md)")
SKIPPED_SCHEMES = ("http://", "https://", "mailto:", "ftp://")


def tracked_files(root):
    """Files git tracks under ROOT (or, outside a checkout, every file), as relative paths."""
    try:
        listed = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True)
        return [path for path in listed.stdout.decode().split("\0") if path]
    except (subprocess.CalledProcessError, FileNotFoundError):
        paths = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git" and not d.startswith("build") and d != "node_modules"]
            paths += [os.path.relpath(os.path.join(folder, name), root) for name in files]
        return paths


def read_text(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def slug(heading):
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text):
    found = set()
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found


def check(root):
    root = os.path.realpath(root)
    problems = []
    this_file = os.path.realpath(__file__)
    for relative in tracked_files(root):
        path = os.path.join(root, relative)
        if os.path.realpath(path) == this_file:
            continue
        text = read_text(path)
        if text is None:
            continue
        is_markdown = relative.endswith(".md")
        in_code = False
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{relative}:{number}"
            outside = next((m for m in (p.search(line) for p in OUTSIDE_PATTERNS) if m), None)
            if outside:
                problems.append(f"{where}: points at the reference folder outside the repository "
                                f"({outside.group(0)}); say it in docs/ instead")
            for page in DOCS_CITATION.findall(line):
                if not os.path.isfile(os.path.join(root, "docs", page)):
                    problems.append(f"{where}: cites docs/{page}, which does not exist")
            if not is_markdown:
                continue
            if line.startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            for target in MARKDOWN_LINK.findall(line):
                problem = check_link(root, path, target)
                if problem:
                    problems.append(f"{where}: link ({target}) {problem}")
    return problems


def check_link(root, source, target):
    if target.startswith(SKIPPED_SCHEMES):
        return None
    file_part, _, anchor = target.partition("#")
    if file_part.startswith("/"):
        return "is an absolute path; use a path relative to this file"
    resolved = os.path.realpath(os.path.join(os.path.dirname(source), file_part)) if file_part else source
    if resolved != root and not resolved.startswith(root + os.sep):
        return "leaves the repository"
    if not os.path.exists(resolved):
        return "names a file that does not exist"
    if anchor and os.path.isfile(resolved) and resolved.endswith(".md"):
        if anchor not in anchors(read_text(resolved) or ""):
            return f"names a heading #{anchor} that {os.path.relpath(resolved, root)} does not have"
    return None


def self_test():
    """Each defect in a small tree is reported; the clean tree passes."""
    cases = {
        "outside mention": ("README.md", "See ../" + "shared/spec/destroy_room.md.\n", "reference folder"),
        "link out of the repository": ("README.md", "[x](../elsewhere.md)\n", "leaves the repository"),
        "link to a missing file": ("README.md", "[x](docs/missing.md)\n", "does not exist"),
        "link to a missing heading": ("README.md", "[x](docs/page.md#nowhere)\n", "does not have"),
        "code citing a missing page": ("src/a.cc", "// see docs/" + "gone.md, row 3\n", "cites docs/gone.md"),
    }
    failures = 0
    for name, (file_name, content, expected) in list(cases.items()) + [("clean tree", (None, None, None))]:
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "docs"))
            os.makedirs(os.path.join(root, "src"))
            with open(os.path.join(root, "docs", "page.md"), "w") as page:
                page.write("# Page\n\n## A heading\n\n[back](../README.md) [self](#a-heading)\n")
            with open(os.path.join(root, "README.md"), "w") as readme:
                readme.write("[page](docs/page.md#a-heading)\n")
            if file_name:
                with open(os.path.join(root, file_name), "a") as handle:
                    handle.write(content)
            problems = check(root)
            if expected is None:
                ok = not problems
            else:
                ok = any(expected in problem for problem in problems)
            print(f"{'ok' if ok else 'FAILED'}  {name}: {problems if problems else 'no problem reported'}")
            failures += 0 if ok else 1
    print(f"{len(cases) + 1 - failures} passed, {failures} failed")
    return 1 if failures else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check(root)
    for problem in problems:
        print(problem)
    print(f"check_links: {len(problems)} problem(s) in {root}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
