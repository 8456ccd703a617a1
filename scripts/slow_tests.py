"""Write tests/slow_tests.txt: the tests that took longer than a threshold in a measured run of the suite.

The suite's conftest marks every test listed there ``slow``, so ``pytest -m "not browser and not slow"`` is the
fast inner loop. Re-measure after adding slow tests (a new test is fast until measured)::

    .venv/bin/pytest -p no:cacheprovider -o junit_duration_report=total --junitxml=/tmp/suite.xml
    .venv/bin/python scripts/slow_tests.py /tmp/suite.xml

A test's time is its setup, call and teardown together, so a test that builds a fixture others then share
counts the build. Once those are marked, the inner loop's first user of the fixture pays it instead: time the
inner loop too and ``--add`` what it shows, until it stays under its budget::

    .venv/bin/pytest -m "not browser and not slow" -p no:cacheprovider -o junit_duration_report=total \
        --junitxml=/tmp/inner.xml
    .venv/bin/python scripts/slow_tests.py --add /tmp/inner.xml
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "slow_tests.txt"
#: Seconds above which a test is ``slow``. At 1 s the inner loop measured 62 s of test time (of 815 s) on the
#: 2-core CI machine; at 2 s it would be 308 s.
THRESHOLD_S = 1.0


def node_id(classname: str, name: str) -> str:
    """pytest's node id from JUnit's ``classname`` (dotted module path, then any class names) and ``name``."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = Path(*parts[:cut]).with_suffix(".py")
        if (ROOT / path).is_file():
            return "::".join([path.as_posix(), *parts[cut:], name])
    raise ValueError(f"no test file for {classname!r}")


def slow_tests(junit_xml: Path, threshold: float = THRESHOLD_S) -> list[str]:
    """Node ids of the tests whose total time in ``junit_xml`` is over ``threshold`` seconds, sorted."""
    tree = ET.parse(junit_xml)
    out = {node_id(case.get("classname", ""), case.get("name", ""))
           for case in tree.iter("testcase") if float(case.get("time") or 0) > threshold}
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("junit_xml", type=Path, help="from pytest --junitxml with -o junit_duration_report=total")
    parser.add_argument("--threshold", type=float, default=THRESHOLD_S, help="seconds (default %(default)s)")
    parser.add_argument("--add", action="store_true", help="keep the tests already listed, add these")
    args = parser.parse_args(argv)
    ids = slow_tests(args.junit_xml, args.threshold)
    if args.add and OUT.is_file():
        kept = [line for line in OUT.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
        ids = sorted(set(ids) | set(kept))
    header = (f"# Tests over {args.threshold:g} s in a measured run of the suite; written by scripts/slow_tests.py.\n"
              "# tests/conftest.py marks each `slow`. One pytest node id per line.\n")
    OUT.write_text(header + "".join(i + "\n" for i in ids), encoding="utf-8")
    print(f"{len(ids)} slow tests written to {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
