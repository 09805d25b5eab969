"""Runs the official SDK suites against `snapbi sandbox` and prints the count of succeeded steps per SDK.

Usage (conformance/run does the set-up): python conformance/main.py --snapbi PATH [doku] [dana]
Exit status: 0 when every step of every suite succeeded, 1 otherwise.

Each suite runs in a Python process of its own, as each SDK would in a merchant's application: the two SDKs
cannot share one (DANA's deserializer finds its answer models by class name, and DOKU's SDK has models of the same
names, such as BalanceInquiryResponse).
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SUITES = ["doku", "dana"]
SUMMARY = "summary: "


def run_one(snapbi, name):
    """Runs one suite in this process; prints its report and, last, its summary line."""
    suite = __import__(f"{name}_sdk")
    report = suite.run(snapbi)
    print(SUMMARY + report.summary(), flush=True)
    return 0 if not report.failed else 1


def run_each(snapbi, names):
    """Runs each suite in a child process, passing its output through; returns the summaries and the status."""
    summaries, status = [], 0
    for name in names:
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--snapbi", snapbi, "--one", name],
            stdout=subprocess.PIPE,
            text=True,
        )
        summary = f"{name}: the suite stopped before its summary"
        for line in child.stdout:
            if line.startswith(SUMMARY):
                summary = line[len(SUMMARY):].rstrip("\n")
            else:
                print(line, end="", flush=True)
        if child.wait() != 0:
            status = 1
        summaries.append(summary)
    return summaries, status


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snapbi", required=True, help="path of the snapbi binary")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"one of {', '.join(SUITES)} (default: all)")
    args = parser.parse_args()
    if args.one:
        return run_one(args.snapbi, args.one)
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}")
    summaries, status = run_each(args.snapbi, args.suites or SUITES)
    print()
    for summary in summaries:
        print(summary)
    return status


if __name__ == "__main__":
    sys.exit(main())
