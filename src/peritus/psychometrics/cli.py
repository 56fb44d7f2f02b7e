"""Command line: ``peritus psychometrics analyze …`` (and ``python -m peritus.psychometrics``).

::

    analyze --responses R.csv [--key K.csv] [--model none|rasch|2pl] [--cut RAW]
            --json OUT.json [--html OUT.html] [--pdf OUT.pdf] [--flags THRESHOLDS.json]
            [--groups GROUPS.csv [--reference GROUP]] [--not-reached incorrect|missing]
            [--no-security] [--title TEXT]

On any error the command prints one line to stderr and exits non-zero (2 for unusable input or
arguments, 1 when the analysis itself cannot be done or an output cannot be written), and it
writes no output file: every output is rendered in memory first, written to a temporary file
beside its destination, and only then moved into place.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, override

from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.io import read_groups, read_key, read_responses
from peritus.psychometrics.report import FlagThresholds, analyze_exam

PROG = "peritus psychometrics"
EXIT_INPUT = 2
EXIT_ANALYSIS = 1


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line instead of usage text plus exit."""

    @override
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Item and test analysis of exam response files.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    analyze = commands.add_parser(
        "analyze",
        help="classical and IRT item analysis of a response file",
        description="Item and test analysis of a response file (see the product documentation "
        "for the CSV formats and the JSON report).",
    )
    analyze.add_argument(
        "--responses",
        required=True,
        metavar="R.csv",
        type=Path,
        help="responses: candidate_id,<item_id>,… (scores, or options with --key)",
    )
    analyze.add_argument("--key", metavar="K.csv", type=Path, help="answer key: item_id,key")
    analyze.add_argument(
        "--model",
        choices=("none", "rasch", "2pl"),
        default="none",
        help="IRT model to calibrate (default: none)",
    )
    analyze.add_argument(
        "--cut",
        type=float,
        metavar="RAW",
        help="raw cut score (pass if score >= cut) for decision consistency",
    )
    analyze.add_argument(
        "--json",
        required=True,
        metavar="OUT.json",
        type=Path,
        help="where to write the JSON report",
    )
    analyze.add_argument("--html", metavar="OUT.html", type=Path, help="also write an HTML report")
    analyze.add_argument("--pdf", metavar="OUT.pdf", type=Path, help="also write a PDF report")
    analyze.add_argument(
        "--flags",
        metavar="THRESHOLDS.json",
        type=Path,
        help="flag thresholds (JSON object; see FlagThresholds)",
    )
    analyze.add_argument(
        "--groups",
        metavar="GROUPS.csv",
        type=Path,
        help="candidate_id,group for Mantel-Haenszel DIF",
    )
    analyze.add_argument(
        "--reference", metavar="GROUP", help="reference group for DIF (default: the largest group)"
    )
    analyze.add_argument(
        "--not-reached",
        choices=("incorrect", "missing"),
        default="incorrect",
        help="how IRT calibration treats not-reached items (default: incorrect)",
    )
    analyze.add_argument(
        "--no-security", action="store_true", help="skip person-fit and answer-similarity screening"
    )
    analyze.add_argument("--title", default="Item analysis", help="report title")
    return parser


def _fail(message: str, code: int) -> int:
    text = " ".join(str(message).split())
    sys.stderr.write(f"{PROG}: error: {text}\n")
    return code


def _read_thresholds(path: Path) -> FlagThresholds:
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PsychometricsInputError(
            "file_not_found", "file not found", source=str(path)
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PsychometricsInputError(
            "bad_flags", f"cannot read the thresholds ({exc})", source=str(path)
        ) from None
    if not isinstance(values, dict):
        raise PsychometricsInputError(
            "bad_flags", "the thresholds file must hold a JSON object", source=str(path)
        )
    return FlagThresholds.from_mapping(values)


def _check_outputs(outputs: Sequence[Path]) -> None:
    resolved = [path.resolve() for path in outputs]
    if len(set(resolved)) != len(resolved):
        raise PsychometricsInputError("duplicate_output", "two outputs name the same file")
    for path in outputs:
        if not path.parent.is_dir():
            raise PsychometricsInputError(
                "output_dir_missing", f"the folder of {path} does not exist"
            )
        if path.is_dir():
            raise PsychometricsInputError("output_is_dir", f"{path} is a folder")


def _write_all(payloads: Sequence[tuple[Path, bytes]]) -> None:
    """Write every payload, or none: temporary files first, then atomic renames."""
    staged: list[tuple[str, Path]] = []
    # mkstemp creates files readable by the owner only; give reports the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    try:
        for path, data in payloads:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
            )
            staged.append((temporary, path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, 0o666 & ~umask)
        for temporary, path in staged:
            os.replace(temporary, path)
        staged = []
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _analyze(args: argparse.Namespace) -> int:
    outputs = [p for p in (args.json, args.html, args.pdf) if p is not None]
    _check_outputs(outputs)
    thresholds = _read_thresholds(args.flags) if args.flags is not None else None
    key = read_key(args.key) if args.key is not None else None
    responses = read_responses(args.responses, key=key)
    groups = (
        read_groups(args.groups, candidate_ids=responses.candidate_ids)
        if args.groups is not None
        else None
    )
    if args.reference is not None and groups is None:
        raise PsychometricsInputError("reference_without_groups", "--reference needs --groups")
    analysis = analyze_exam(
        responses,
        model=args.model,
        cut=args.cut,
        groups=groups,
        reference_group=args.reference,
        thresholds=thresholds,
        not_reached=args.not_reached,
        security=not args.no_security,
        title=args.title,
        source=args.responses.name,
    )
    payloads: list[tuple[Path, bytes]] = [(args.json, analysis.to_json().encode("utf-8"))]
    if args.html is not None or args.pdf is not None:
        report = analysis.to_dict()
        figures = analysis.figures()
        if args.html is not None:
            from peritus.psychometrics.report_html import render_html

            payloads.append((args.html, render_html(report, figures).encode("utf-8")))
        if args.pdf is not None:
            from peritus.psychometrics.report_pdf import render_pdf

            payloads.append((args.pdf, render_pdf(report, figures)))
    _write_all(payloads)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except _UsageError as exc:
        return _fail(f"{exc} (see --help)", EXIT_INPUT)
    except SystemExit as exc:  # --help and --version print and ask to exit
        return int(exc.code) if isinstance(exc.code, int) else 0
    try:
        if args.command == "analyze":
            return _analyze(args)
        return _fail(f"unknown command {args.command!r}", EXIT_INPUT)
    except PsychometricsInputError as exc:
        return _fail(f"{exc} [{exc.code}]", EXIT_INPUT)
    except PsychometricsError as exc:
        return _fail(f"{exc} [{exc.code}]", EXIT_ANALYSIS)
    except OSError as exc:
        return _fail(f"cannot write the report ({exc.strerror or exc})", EXIT_ANALYSIS)
    except MemoryError:
        return _fail("not enough memory for this analysis", EXIT_ANALYSIS)
    except Exception as exc:  # the contract is one line and a status, even for a bug
        return _fail(
            f"internal error ({type(exc).__name__}: {exc}); please report it", EXIT_ANALYSIS
        )


if __name__ == "__main__":
    sys.exit(main())
