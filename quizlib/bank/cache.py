"""A persistent cache of built banks: one JSON file per bank file, keyed by what the result depends on.

Building a bank runs the answer checker over every reference and wrong answer (seconds for
the whole content folder), so the app would pay that at every server start. The result of
`validate.build_bank` depends only on the file's text, the path it is shown under, the
source catalogues, and the code that reads, validates and checks (`CODE_FILES`: the bank and
answers packages, the model, the maths-span rule) plus the SymPy and NumPy versions; the
key hashes all of them, so an edited bank or an edited checker is a miss, never a stale hit.

Where: `$QUIZ_CACHE_DIR`, else `$XDG_CACHE_HOME/dl-exam-trainer/banks` (default
`~/.cache/dl-exam-trainer/banks`); `QUIZ_CACHE_DIR=off` turns the cache off. A folder that
cannot be written only means no cache. Files are written to a temporary name in the same
folder and renamed (`os.replace` is atomic), so concurrent writers never leave a torn file,
and the last rename wins with the same content. After a write, only the `MAX_FILES` newest
builds are kept (each edit of a bank leaves one). A file is trusted only if it is JSON of
the expected format, carries the exact key it is stored under, its payload's SHA-256 matches,
and every field decodes to its declared type; anything else is a miss and is rebuilt.
JSON, never pickle: reading a cache file builds only the model's dataclasses, field by field.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
import types
import typing
from importlib import metadata
from pathlib import Path

from quizlib import model
from quizlib.bank.validate import BuiltBank
from quizlib.model import Bank, Question

FORMAT = 2  # bump when the JSON layout below changes
MAX_FILES = 400  # beyond this many cached builds the oldest go (each edit of a bank leaves one)
STALE_TMP_SECONDS = 3600  # a temporary file this old is a writer that died mid-write
MAX_BYTES = 50_000_000  # a cache file larger than this is not read (the largest bank is ~1 MB)
_PKG = Path(__file__).resolve().parents[1]  # quizlib/
# everything whose code decides what build_bank returns (tests/test_bank_cache.py checks that the
# import closure of quizlib.bank.loader stays inside this list)
CODE_FILES = ("__init__.py", "bank/*.py", "answers/*.py", "model.py", "errors.py", "markdown_maths.py")
MODELS = {c.__name__: c for c in vars(model).values()
          if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == model.__name__}


class CacheError(ValueError):
    """A cache file that is not exactly what this code writes."""


def cache_dir() -> Path | None:
    where = os.environ.get("QUIZ_CACHE_DIR")
    if where == "off":
        return None
    if where:
        return Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dl-exam-trainer" / "banks"


_version: dict[str, str] = {}


def code_version() -> str:
    """SHA-256 over the code in CODE_FILES and the SymPy/NumPy versions (computed once per process)."""
    if "v" not in _version:
        h = hashlib.sha256(f"format {FORMAT}\n".encode())
        for pattern in CODE_FILES:
            for f in sorted(_PKG.glob(pattern)):
                h.update(f"{f.relative_to(_PKG).as_posix()}\n".encode())
                h.update(hashlib.sha256(f.read_bytes()).digest())
        for dist in ("sympy", "numpy"):
            try:
                h.update(f"{dist} {metadata.version(dist)}\n".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{dist} missing\n".encode())
        _version["v"] = h.hexdigest()
    return _version["v"]


def cache_key(text: str, path: str, display: str, catalogue: dict[str, set[str]] | None) -> str:
    cats = None if catalogue is None else sorted((k, sorted(v)) for k, v in catalogue.items())
    material = json.dumps([code_version(), path, display, hashlib.sha256(text.encode()).hexdigest(), cats])
    return hashlib.sha256(material.encode()).hexdigest()


# -- reading and writing ------------------------------------------------------

def load(key: str, folder: Path | None = None) -> BuiltBank | None:
    """The cached build under `key`, or None (no cache, no file, or a file not to be trusted)."""
    folder = folder or cache_dir()
    if folder is None:
        return None
    f = folder / f"{key}.json"
    try:
        if f.stat().st_size > MAX_BYTES:
            return None
        doc = json.loads(f.read_bytes())
        return _decode_file(doc, key)
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None  # missing, unreadable or corrupt: rebuild (store() then overwrites it)


def store(key: str, built: BuiltBank, folder: Path | None = None) -> bool:
    """Write `built` under `key` atomically; False when there is no writable cache folder."""
    folder = folder or cache_dir()
    if folder is None:
        return False
    payload = json.dumps(_encode_built(built), ensure_ascii=False, separators=(",", ":"))
    doc = json.dumps({"format": FORMAT, "key": key,
                      "sha256": hashlib.sha256(payload.encode()).hexdigest(), "payload": payload},
                     ensure_ascii=False, separators=(",", ":"))
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key[:16]}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(doc)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False
    prune(folder)
    return True


def prune(folder: Path, keep: int = MAX_FILES) -> None:
    """Delete all but the `keep` newest cache files, and temporary files left by dead writers.
    Runs after a write (a miss), never on a hit. A file deleted under a concurrent reader is a
    miss for it, never an error."""
    try:
        entries = []
        for f in folder.iterdir():
            try:
                entries.append((f.stat().st_mtime, f))
            except OSError:
                continue
        now = time.time()
        builds = sorted((e for e in entries if e[1].suffix == ".json"), reverse=True)
        doomed = [f for _, f in builds[keep:]]
        doomed += [f for m, f in entries if f.suffix == ".tmp" and now - m > STALE_TMP_SECONDS]
        for f in doomed:
            try:
                f.unlink()
            except OSError:
                pass
    except OSError:
        pass


def _decode_file(doc, key: str) -> BuiltBank:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
        raise CacheError("not a cache file of this format and key")
    payload = doc.get("payload")
    if not isinstance(payload, str) or hashlib.sha256(payload.encode()).hexdigest() != doc.get("sha256"):
        raise CacheError("the payload does not match its checksum")
    data = json.loads(payload)
    if type(data) is not dict or type(data.get("templates")) is not list or type(data.get("of")) is not list:
        raise CacheError("no bank, templates and template indices")
    templates = [decode(t, Question) for t in data["templates"]]
    bank = decode(data["bank"], Bank)
    if len(data["of"]) != len(bank.questions):
        raise CacheError("one template index per question")
    questions = []
    for q, i in zip(bank.questions, data["of"]):
        if i is not None and (type(i) is not int or not 0 <= i < len(templates)):
            raise CacheError(f"no template {i!r}")
        questions.append(q if i is None else dataclasses.replace(q, template=templates[i]))
    return BuiltBank(dataclasses.replace(bank, questions=tuple(questions)), templates)


def _encode_built(built: BuiltBank) -> dict:
    """The bank, its templates, and for each rendered question the index of its template (each
    template is written once, not again inside the question rendered from it)."""
    position = {id(t): i for i, t in enumerate(built.templates)}
    of = [None if q.template is None else position.get(id(q.template)) for q in built.bank.questions]
    bank = encode(built.bank)
    for q, i in zip(bank["questions"], of):
        if i is not None:
            q["template"] = None
    return {"bank": bank, "templates": [encode(t) for t in built.templates], "of": of}


# -- dataclasses <-> JSON, by the declared field types -------------------------

def encode(obj):
    """A model dataclass (or a value inside one) as plain JSON data: dataclasses become dicts of
    every field, tuples become lists. The decoder goes by the declared types, so no tags."""
    if dataclasses.is_dataclass(obj):
        return {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (tuple, list)):
        return [encode(x) for x in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot cache a {type(obj).__name__}")


_decoders: dict = {}


def decode(data, tp):
    """`data` as a value of type `tp` (a model dataclass, a tuple type, an optional, a scalar);
    anything of another shape raises CacheError."""
    return _decoder(tp)(data)


def _decoder(tp):
    """A function JSON data → value of `tp`, built once per type (decoding runs ~10^5 times per start)."""
    if tp not in _decoders:
        _decoders[tp] = lambda data: _decoders[tp](data)  # a recursive type (Question.template) waits
        _decoders[tp] = _make_decoder(tp)
    return _decoders[tp]


def _fail(data, tp):
    raise CacheError(f"{data!r:.40} is not a {tp}")


def _make_decoder(tp):
    if isinstance(tp, type) and MODELS.get(tp.__name__) is tp:
        hints = typing.get_type_hints(tp, vars(model))
        names = [f.name for f in dataclasses.fields(tp)]
        fields = [(n, _decoder(hints[n])) for n in names]
        wanted = set(names)

        def dc(data):
            if type(data) is not dict or data.keys() != wanted:
                raise CacheError(f"{tp.__name__}: not an object with the fields {sorted(wanted)}")
            return tp(**{n: f(data[n]) for n, f in fields})
        return dc
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or len(args) != 2:
            raise TypeError(f"only `X | None` unions are cached, not {tp}")
        inner = _decoder(rest[0])
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])

            def many(data):
                if type(data) is not list:
                    _fail(data, tp)
                return tuple(item(x) for x in data)
            return many
        items = [_decoder(a) for a in args]

        def fixed(data):
            if type(data) is not list or len(data) != len(items):
                _fail(data, tp)
            return tuple(f(x) for f, x in zip(items, data))
        return fixed
    if tp is float:  # an int-valued field may hold an int; bool is not a number here
        return lambda data: data if type(data) in (float, int) else _fail(data, tp)
    if tp in (str, int, bool):
        return lambda data: data if type(data) is tp else _fail(data, tp)
    raise TypeError(f"no decoder for {tp}")
