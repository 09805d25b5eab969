"""Runs the official SDK suites against `snapbi sandbox` and prints the count of succeeded steps per SDK.

Usage (conformance/run does the set-up): python conformance/main.py --snapbi PATH [doku] [dana]
Exit status: 0 when every step of every suite succeeded, 1 otherwise.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SUITES = ["doku", "dana"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snapbi", required=True, help="path of the snapbi binary")
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"one of {', '.join(SUITES)} (default: all)")
    args = parser.parse_args()
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}")
    reports = []
    for name in args.suites or SUITES:
        suite = __import__(f"{name}_sdk")
        reports.append(suite.run(args.snapbi))
    print()
    for report in reports:
        print(report.summary())
    return 0 if all(not r.failed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
