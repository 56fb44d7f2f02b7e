"""Reading an IMS content package safely: the zip, its manifest and its XML files.

Hostile packages are refused with a stable code before anything is interpreted:

* `not_a_zip`, `too_many_files`, `too_large`, `suspicious_compression` (zip bombs: the declared
  sizes are checked first, and reading stops at the cap whatever the headers claim);
* `unsafe_path` (zip slip: absolute paths, `..`, backslashes, drive letters, links);
* `xml_forbidden` (a DTD, entity declarations or external references: XXE and billion laughs),
  `xml_malformed`, `xml_too_deep`;
* `manifest_missing`, `manifest_invalid`, `file_missing`; `timeout` for pathological inputs.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import re
import stat
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from peritus.itembank.qti.markup import local_name

MANIFEST = "imsmanifest.xml"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Caps on what one package may hold (ADR: QTI import limits)."""

    max_files: int = 20_000
    max_total_bytes: int = 256 * 1024 * 1024
    max_file_bytes: int = 32 * 1024 * 1024
    max_ratio: int = 200  # uncompressed/compressed, checked for members above 1 MiB
    max_depth: int = 64
    seconds: float = 300.0


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a package. `skip` problems leave one item out; others refuse it all."""

    file: str
    code: str
    message: str
    skip: bool = False

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "code": self.code, "message": self.message}


class PackageRefused(Exception):  # noqa: N818 - a refusal, not a programming error
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclasses.dataclass(frozen=True)
class Resource:
    identifier: str
    type: str
    href: str
    files: tuple[str, ...]
    dependencies: tuple[str, ...]
    metadata: Element | None

    @property
    def is_item(self) -> bool:
        return self.type.startswith(("imsqti_item_xmlv", "imsqti_apipitem_xmlv"))

    @property
    def is_stimulus(self) -> bool:
        return self.type.startswith(("imsqti_stimulus_xmlv", "imsqti_apipstimulus_xmlv"))


_DRIVE = re.compile(r"^[a-zA-Z]:")


def safe_member_path(name: str) -> str:
    """The normalised path of a zip member or manifest href, or `unsafe_path`."""
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or _DRIVE.match(name)
        or "://" in name
    ):
        raise PackageRefused(Problem(name, "unsafe_path", f"The path {name!r} is not allowed."))
    normalised = posixpath.normpath(name)
    if normalised == ".." or normalised.startswith(("../", "/")):
        raise PackageRefused(Problem(name, "unsafe_path", f"The path {name!r} leaves the package."))
    return normalised


class Package:
    """An opened, size-checked package. Members are read lazily, within the caps."""

    def __init__(
        self, source: bytes | str | Path | BinaryIO, *, limits: Limits | None = None
    ) -> None:
        self.limits = limits or Limits()
        self.started = time.monotonic()
        self.read_bytes = 0
        stream: BinaryIO | str | Path = io.BytesIO(source) if isinstance(source, bytes) else source
        try:
            self.zip = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise PackageRefused(
                Problem("", "not_a_zip", "The file is not a readable zip archive.")
            ) from None
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_files:
            raise PackageRefused(
                Problem("", "too_many_files",
                        f"The package holds {len(infos)} files; at most {self.limits.max_files} are accepted.")
            )  # fmt: skip
        self.members: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            if info.is_dir():
                safe_member_path(info.filename.rstrip("/") or ".")
                continue
            path = safe_member_path(info.filename)
            mode = info.external_attr >> 16
            if mode and stat.S_ISLNK(mode):
                raise PackageRefused(
                    Problem(path, "unsafe_path", "Symbolic links are not allowed.")
                )
            if info.flag_bits & 0x1:
                raise PackageRefused(
                    Problem(path, "encrypted", "Encrypted members are not allowed.")
                )
            if path in self.members:
                raise PackageRefused(
                    Problem(path, "duplicate_file", "The package holds this path twice.")
                )
            if info.file_size > self.limits.max_file_bytes:
                raise PackageRefused(
                    Problem(path, "too_large", "This file is larger than the per-file limit.")
                )
            if info.file_size > 1024 * 1024 and info.file_size > self.limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise PackageRefused(
                    Problem(
                        path, "suspicious_compression", "This file expands far too much (zip bomb)."
                    )
                )
            declared += info.file_size
            if declared > self.limits.max_total_bytes:
                raise PackageRefused(
                    Problem(path, "too_large", "The package expands beyond the total size limit.")
                )
            self.members[path] = info

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_time(self, file: str = "") -> None:
        if time.monotonic() - self.started > self.limits.seconds:
            raise PackageRefused(
                Problem(file, "timeout", "Reading the package took too long; it was abandoned.")
            )

    def exists(self, path: str) -> bool:
        return path in self.members

    def read(self, path: str) -> bytes:
        """A member's bytes; never more than the caps, whatever its header claims."""
        self.check_time(path)
        info = self.members.get(path)
        if info is None:
            raise PackageRefused(
                Problem(path, "file_missing", "The manifest names a file the package lacks.")
            )
        cap = min(self.limits.max_file_bytes, self.limits.max_total_bytes - self.read_bytes)
        chunks = []
        size = 0
        with self.zip.open(info) as handle:
            while True:
                chunk = handle.read(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap or size > info.file_size:
                    raise PackageRefused(
                        Problem(
                            path,
                            "suspicious_compression",
                            "This file expands beyond what it declares.",
                        )
                    )
                chunks.append(chunk)
        self.read_bytes += size
        return b"".join(chunks)

    def parse(self, path: str) -> Element:
        return parse_xml(self.read(path), file=path, max_depth=self.limits.max_depth)


def parse_xml(data: bytes, *, file: str, max_depth: int = 64) -> Element:
    """Parse untrusted XML: no DTD, no entities, no external references, bounded depth."""
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as error:
        raise PackageRefused(
            Problem(
                file,
                "xml_forbidden",
                f"The XML declares a DTD or entities ({type(error).__name__}).",
            )
        ) from None
    except ParseError as error:
        raise PackageRefused(
            Problem(file, "xml_malformed", f"The XML is not well formed: {error}.")
        ) from None
    _check_depth(root, file, max_depth)
    return root


def _check_depth(root: Element, file: str, max_depth: int) -> None:
    stack: list[tuple[Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            raise PackageRefused(
                Problem(file, "xml_too_deep", "The XML nests elements too deeply.")
            )
        stack.extend((child, depth + 1) for child in element)


def read_manifest(package: Package) -> list[Resource]:
    if not package.exists(MANIFEST):
        raise PackageRefused(
            Problem(MANIFEST, "manifest_missing", "The package has no imsmanifest.xml.")
        )
    root = package.parse(MANIFEST)
    if local_name(root.tag) != "manifest":
        raise PackageRefused(
            Problem(MANIFEST, "manifest_invalid", "The root element is not <manifest>.")
        )
    resources_element = next((c for c in root if local_name(c.tag) == "resources"), None)
    if resources_element is None:
        raise PackageRefused(
            Problem(MANIFEST, "manifest_invalid", "The manifest has no <resources>.")
        )
    resources = []
    seen: set[str] = set()
    for element in resources_element:
        if local_name(element.tag) != "resource":
            continue
        identifier = (element.get("identifier") or "").strip()
        kind = (element.get("type") or "").strip()
        if not identifier or not kind:
            raise PackageRefused(
                Problem(MANIFEST, "manifest_invalid", "A resource lacks its identifier or type.")
            )
        if identifier in seen:
            raise PackageRefused(
                Problem(
                    MANIFEST, "manifest_invalid", f"The resource {identifier!r} is declared twice."
                )
            )
        seen.add(identifier)
        files = tuple(
            safe_member_path(f.get("href") or "") for f in element if local_name(f.tag) == "file"
        )
        href_attribute = element.get("href")
        href = safe_member_path(href_attribute) if href_attribute else (files[0] if files else "")
        dependencies = tuple(
            d.get("identifierref") or "" for d in element if local_name(d.tag) == "dependency"
        )
        metadata = next((c for c in element if local_name(c.tag) == "metadata"), None)
        resources.append(Resource(identifier, kind, href, files, dependencies, metadata))
    return resources


def iter_children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local_name(child.tag) == name)
