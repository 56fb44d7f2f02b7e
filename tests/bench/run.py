"""Run every benchmark (`make bench`) or one (`make bench ONLY=<name>`).

Each benchmark runs in its own process so that one's memory and threads never colour another's.
Exit status is non-zero when any benchmark fails its target or crashes.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    only = argv[1] if len(argv) > 1 and argv[1] else None
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if s.stem == f"bench_{only}"]
        if not scripts:
            names = ", ".join(
                s.stem.removeprefix("bench_") for s in sorted(HERE.glob("bench_*.py"))
            )
            print(f"no benchmark named {only!r}; known: {names}", file=sys.stderr)
            return 2
    failed = []
    for script in scripts:
        print(f"== {script.stem.removeprefix('bench_')}", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        if result.returncode != 0:
            failed.append(script.stem.removeprefix("bench_"))
    if failed:
        print(f"benchmarks failing their target: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
