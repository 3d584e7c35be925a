"""Entry point of ``make bench``. Benchmarks arrive with the features they measure (KPI snapshots, lists)."""

import sys


def main() -> int:
    print("no benchmarks yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
