#!/usr/bin/python3
"""Checks that every citation of a reference note resolves inside the repository.

Code comments, test fixtures, the MRS simulator and the docs cite the notes in
docs/reference/ as `mrs-api.md §2C`, `mrs-api.md §8(3)`, `mrs-api.md §5.1(2)`,
`sahara-api.md §4, §7.1`, `sahara-api.md §2 row 5`, `gateway-anchors.md §3 lesson 1`
or `sahara-api.md sections 2-4, 7`. For each one this script checks that
docs/reference/NAME.md exists, that it has a heading for the section
(`## 4. ...`, `### 2C. ...`, `### 3.1 ...`), and, where the citation names one,
that the section holds the item `(N)`, the `Lesson N` or the table row numbered N.

Every further § token on the same line, up to the next `*.md` name, belongs to the
same note (`sahara-api.md §2 row 1, §6; mrs-api.md §2A, §2G`). JSON files are read
as text, so the escaped section sign `\\u00a7` counts as `§`. Paths that point at
reference notes (`docs/reference/mrs-api.md`, `../../docs/reference/mrs-api.md`) must
exist; paths into a `shared/reference/` folder outside the repository fail.

Prints each unresolved citation as `file:line: ...`, then `N passed, M failed`;
exits 1 when any failed.
"""

import argparse
import os
import re
import sys

EXTENSIONS = (".cpp", ".hpp", ".json", ".md", ".py", ".sh")
REFERENCE_DIR = os.path.join("docs", "reference")

# A Markdown file name, with the path written in front of it if any.
NAME = re.compile(r"(?P<path>(?:[\w.-]*/)*)(?P<name>[A-Za-z0-9][\w-]*)\.md\b")
SIGN = r"(?:§|\\u00a7)"
# One § token: a section label (4, 7.1, 2C, 5.1), an optional item (3), and an optional
# "lesson N" or "row N" after it.
TOKEN = re.compile(
    SIGN + r"\s*(?P<section>\d+(?:\.\d+)*[A-Z]?)"
    r"(?:\((?P<item>\d+)\))?"
    r"(?:,?\s+(?P<kind>lesson|row)\s+(?P<number>\d+))?"
)
# "section 11", "sections 2-4, 7, 10, 11", "sections 2 and 4", right after the name.
WORDS = re.compile(
    r"^[`'\"]?\)?,?\s+sections?\s+"
    r"(?P<list>\d+(?:\.\d+)*(?:\s*(?:,|and|-|–)\s*\d+(?:\.\d+)*)*)"
)
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?:§\s*)?(?P<label>\d+[A-Z]?(?:\.\d+)*)\.?(?=\s|$)")
ITEM = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*)?\((?P<n>\d+)\)")
LESSON = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*)?lesson\s+(?P<n>\d+)\b", re.IGNORECASE)
ROW = re.compile(r"^\s*\|\s*(?P<n>\d+)\s*\|")


class Note:
    """The sections of one reference note: label -> its lines (heading excluded)."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.sections = {}
        open_sections = []  # (level, label) of the headings that enclose the current line
        fenced = False
        for line in lines:
            if line.lstrip().startswith("```"):
                fenced = not fenced
            m = HEADING.match(line)
            if not fenced and re.match(r"#{1,6}(?:\s|$)", line):
                level = len(line) - len(line.lstrip("#"))
                open_sections = [(lv, lb) for lv, lb in open_sections if lv < level]
                if m:
                    open_sections.append((level, m.group("label")))
                    self.sections.setdefault(m.group("label"), [])
                continue
            for _, label in open_sections:
                self.sections[label].append(line)

    def problem(self, section, item, kind, number):
        """None when the section (and its item, lesson or row) exists, else what is missing."""
        if section not in self.sections:
            return f"no heading for section {section}"
        body = self.sections[section]
        if item is not None and not any(
            (m := ITEM.match(line)) and m.group("n") == item for line in body
        ):
            return f"section {section} has no item ({item})"
        if kind == "lesson" and not any(
            (m := LESSON.match(line)) and m.group("n") == number for line in body
        ):
            return f"section {section} has no lesson {number}"
        if kind == "row" and not any(
            (m := ROW.match(line)) and m.group("n") == number for line in body
        ):
            return f"section {section} has no table row {number}"
        return None


def source_files(root):
    """The files to scan: by extension, outside .git and build trees, this script excepted."""
    me = os.path.abspath(__file__)
    for top, dirs, files in os.walk(root):
        rel = os.path.relpath(top, root)
        dirs[:] = sorted(
            d for d in dirs
            if d != ".git" and not (rel == "." and (d == "build" or d.startswith("build-")))
        )
        for f in sorted(files):
            path = os.path.join(top, f)
            if f.endswith(EXTENSIONS) and os.path.abspath(path) != me:
                yield path


def expand(numbers):
    """'2-4, 7 and 10' -> ['2', '3', '4', '7', '10']."""
    out = []
    for part in re.split(r"\s*(?:,|and)\s*", numbers.strip()):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            out.extend(str(n) for n in range(int(bounds[0]), int(bounds[1]) + 1))
        elif part:
            out.append(part)
    return out


def citations(text):
    """Yields (line number, note name, path written, [(section, item, kind, number)])."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        names = list(NAME.finditer(line))
        for j, m in enumerate(names):
            end = names[j + 1].start() if j + 1 < len(names) else len(line)
            segment = line[m.end():end]
            # A name at the very end of a line may have its section on the next line.
            if not segment.strip() and j + 1 == len(names) and i + 1 < len(lines):
                following = lines[i + 1].lstrip(" /#*-")
                if re.match(SIGN, following):
                    segment = " " + following
            refs = [
                (t.group("section"), t.group("item"), t.group("kind"), t.group("number"))
                for t in TOKEN.finditer(segment)
            ]
            w = WORDS.match(segment)
            if w:
                refs.extend((s, None, None, None) for s in expand(w.group("list")))
            yield i + 1, m.group("name"), m.group("path"), refs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        help="repository root (default: two levels above this script)",
    )
    parser.add_argument("--verbose", action="store_true", help="also print every citation that resolves")
    args = parser.parse_args()
    root = os.path.abspath(args.root)

    notes = {}

    def note(name):
        if name not in notes:
            path = os.path.join(root, REFERENCE_DIR, name + ".md")
            notes[name] = Note(path) if os.path.isfile(path) else None
        return notes[name]

    passed, failures = 0, []
    for path in source_files(root):
        rel = os.path.relpath(path, root)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError:
            continue
        for line_no, name, written, refs in citations(text):
            where = f"{rel}:{line_no}"
            if "shared/reference/" in written:
                failures.append(f"{where}: {written}{name}.md points outside the repository; "
                                f"use {REFERENCE_DIR}/{name}.md")
                continue
            if "reference/" in written:
                # A path to a note: it must lead to the file from here or from the root.
                target = written + name + ".md"
                if not any(os.path.isfile(os.path.normpath(os.path.join(base, target)))
                           for base in (os.path.dirname(path), root)):
                    failures.append(f"{where}: {target} does not exist")
                    continue
                passed += 1
                if args.verbose:
                    print(f"{where}: {target}: ok")
            elif written and refs:
                # Another file named with its path (not a reference note): not checked here.
                continue
            for section, item, kind, number in refs:
                cited = f"{name}.md §{section}" + (f"({item})" if item else "") + (
                    f" {kind} {number}" if kind else "")
                target = note(name)
                if target is None:
                    failures.append(f"{where}: {cited}: {REFERENCE_DIR}/{name}.md does not exist")
                    continue
                problem = target.problem(section, item, kind, number)
                if problem:
                    failures.append(f"{where}: {cited}: {problem} in {REFERENCE_DIR}/{name}.md")
                else:
                    passed += 1
                    if args.verbose:
                        print(f"{where}: {cited}: ok")

    for f in failures:
        print(f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
