#!/usr/bin/env python3
"""Counts a test run from its JUnit XML files (Swift Testing's --xunit-output, pytest's --junitxml).

  junit.py --stage S --check C --status N --log LOG --results TSV --failures TXT FILE...
      Prints each failed test's name and failure message, then "C: P passed, F failed, K skipped";
      appends "S<TAB>C<TAB>P<TAB>F<TAB>K<TAB>seconds" to TSV and one line per failure to TXT.
      FILEs that do not exist are left out (Swift writes FILE-swift-testing.xml for its own
      tests, FILE for XCTest's); none at all, or one cut short, is a failure, and so is a
      non-zero status N with no failure in the files.
  junit.py --unfinished LOG
      The tests a Swift Testing console log shows started and not ended (what a run hung on).
"""
import argparse
import collections
import os
import re
import sys
import xml.etree.ElementTree as ET

STARTED = re.compile(r"^◇ Test (?!run started)(?!case passing )(.+) started\.$")
ENDED = re.compile(r"^[✔✘➜] Test (.+?)(?: with \d+ test cases?)? (?:passed|failed|skipped)\b")
CRASHED = re.compile(r"Fatal error|Program crashed")
MESSAGE_LINES = 12


def unfinished(log):
    """Tests started and not ended in a Swift Testing console log, in the order they started."""
    counts = collections.Counter()
    order = []
    try:
        with open(log, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if m := STARTED.match(line):
                    counts[m.group(1)] += 1
                    order.append(m.group(1))
                elif (m := ENDED.match(line)) and counts[m.group(1)] > 0:
                    counts[m.group(1)] -= 1
    except OSError:
        return []
    return [name for name in dict.fromkeys(order) if counts[name] > 0]


def crashes(log):
    """The lines of a log that say the process crashed, and why."""
    try:
        with open(log, errors="replace") as f:
            return [line.strip(" *\n") for line in f if CRASHED.search(line)][:5]
    except OSError:
        return []


def tail(path, n):
    try:
        with open(path, errors="replace") as f:
            return [line.rstrip("\n") for line in f.readlines()[-n:]]
    except OSError:
        return []


def failure_text(element):
    """A failure's message (Swift Testing: one per issue), and from pytest's traceback the lines
    that say where and why: the failing source line (>), the error (E) and the location."""
    message = (element.get("message") or "").strip()
    lines = [line for line in (element.text or "").splitlines() if line.strip()]
    if not lines:
        return message
    key = [line for line in lines if line.startswith((">", "E "))][-8:]
    where = lines[-1] if lines[-1] not in key else ""
    return "\n".join(filter(None, [message] + key + [where]))


def read(paths):
    """(tests, problems, seconds): tests as (name, outcome, message) with outcome passed, failed or skipped."""
    tests, problems, seconds = [], [], 0.0
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            problems.append(f"{os.path.basename(path)} is cut short or unreadable ({error}): the run ended before writing it whole")
            continue
        for suite in (s for s in root.iter("testsuite") if s.find("testsuite") is None):
            seconds += float(suite.get("time") or 0)
            listed = 0
            for case in suite.iter("testcase"):
                name = ".".join(part for part in (case.get("classname"), case.get("name")) if part)
                bad = [child for child in case if child.tag in ("failure", "error")]
                listed += sum(1 for child in bad if child.tag == "failure")
                if bad:
                    text = "\n".join(filter(None, (failure_text(child) for child in bad)))
                    tests.append((name, "failed", text or "(no message)"))
                elif case.find("skipped") is not None:
                    skipped = case.find("skipped")
                    tests.append((name, "skipped", skipped.get("message") or (skipped.text or "").strip()))
                else:
                    tests.append((name, "passed", ""))
            # Swift Testing counts issues recorded outside any test in "failures" without a testcase.
            extra = int(suite.get("failures") or 0) - listed
            if extra > 0:
                problems.append(f"{extra} issue(s) recorded outside any test (see the log)")
    return tests, problems, seconds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--unfinished")
    p.add_argument("--stage", default="")
    p.add_argument("--check", default="")
    p.add_argument("--status", type=int, default=0)
    p.add_argument("--log", default="")
    p.add_argument("--results")
    p.add_argument("--failures")
    p.add_argument("files", nargs="*")
    args = p.parse_args()
    if args.unfinished:
        for name in unfinished(args.unfinished):
            print(name)
        return 0

    present = [f for f in args.files if os.path.isfile(f)]
    tests, problems, seconds = read(present)
    if not present:
        problems.append(f"no JUnit file was written ({', '.join(map(os.path.basename, args.files))}); "
                        f"the run exited with status {args.status}")
    failed_tests = [t for t in tests if t[1] == "failed"]
    if args.status != 0 and not failed_tests and not problems:
        problems.append(f"exited with status {args.status} although its JUnit file records no failure")
    notes = []
    if problems and args.log:
        notes += [f"the test process crashed: {line}" for line in crashes(args.log)]
        left = unfinished(args.log)
        if left:
            notes.append("tests started and not finished: " + ", ".join(left[:20]))
    passed = sum(1 for t in tests if t[1] == "passed")
    skipped = sum(1 for t in tests if t[1] == "skipped")
    failed = len(failed_tests) + len(problems)

    lines = []
    for name, _, message in failed_tests:
        print(f"✘ {args.check}: {name}")
        body = message.splitlines()
        for line in body[:MESSAGE_LINES]:
            print("    " + line)
        if len(body) > MESSAGE_LINES:
            print(f"    ... ({len(body) - MESSAGE_LINES} more lines in the JUnit file)")
        lines.append(f"{args.stage}: {args.check}: {name}: {body[0] if body else ''}")
    for problem in problems + notes:
        print(f"✘ {args.check}: {problem}")
        lines.append(f"{args.stage}: {args.check}: {problem}")
    if problems and args.log:
        print(f"-- last lines of {args.log}")
        for line in tail(args.log, 8):
            print("    " + line)
    print(f"{args.check}: {passed} passed, {failed} failed, {skipped} skipped in {round(seconds)} s")
    if args.results:
        with open(args.results, "a") as f:
            f.write(f"{args.stage}\t{args.check}\t{passed}\t{failed}\t{skipped}\t{round(seconds)}\n")
    if args.failures and lines:
        with open(args.failures, "a") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
