"""Chinese analyzers for Whoosh: words on jieba, and character bigrams beside them.

jieba's bundled ChineseAnalyzer stores character offsets as positions (so phrase queries
fail), stems with Porter and stops only English words. This one numbers positions in word
order, records real character offsets into the original text, drops Chinese function
words, and also emits the dictionary sub-words of long words at the same position
(危房改造 also indexes 危房 and 改造) so that a resident's shorter word still matches.

The bigram view (`gram_analyzer`) needs no dictionary: a colloquial or mistyped word that
jieba cuts wrongly (尿毒症透析, 小额信代) still shares its character pairs with the passage.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from opencc import OpenCC
from whoosh.analysis import LowercaseFilter, StopFilter, Token, Tokenizer


@contextmanager
def _without_pkg_resources() -> Iterator[None]:
    """jieba imports pkg_resources only to open its own bundled files by package name, and
    that import reads every installed distribution (~0.1 s of start); when it cannot, jieba
    opens the same files by their path."""
    if "pkg_resources" in sys.modules:
        yield
        return
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails: ImportError
    try:
        yield
    finally:
        del sys.modules["pkg_resources"]


with _without_pkg_resources():
    import jieba

DATA = Path(__file__).parent / "data"

jieba.setLogLevel(logging.WARNING)
log = logging.getLogger(__name__)
# Frequency given to a multi-character stopword jieba does not know, enough to be cut whole.
STOPWORD_FREQ = 1000
_T2S = OpenCC("t2s")


@lru_cache(maxsize=1)
def _setup_jieba() -> jieba.Tokenizer:
    """A private jieba tokenizer that knows the policy vocabulary (建档立卡, 危房改造 …)."""
    tokenizer = jieba.Tokenizer()
    load_dictionary(tokenizer)
    userdict = DATA / "userdict.txt"
    if userdict.exists():
        tokenizer.load_userdict(str(userdict))
    # Dialect question words jieba does not know (么子, 啷个) must be cut as one word to be
    # dropped as stopwords.
    for word in load_stopwords():
        if len(word) > 1 and not tokenizer.FREQ.get(word):
            tokenizer.add_word(word, STOPWORD_FREQ)
    return tokenizer


def segmenter() -> jieba.Tokenizer:
    return _setup_jieba()


@lru_cache(maxsize=4)
def _dictionary_md5(dictionary: str | None) -> str:
    """The md5 of a jieba dictionary file: the name of the caches derived from it."""
    with jieba.Tokenizer(dictionary).get_dict_file() as fh:
        return hashlib.md5(fh.read()).hexdigest()


def _cache_path(tokenizer: jieba.Tokenizer, kind: str) -> Path:
    """A cache file beside jieba's own, named by the content of the tokenizer's dictionary."""
    return Path(tokenizer.tmp_dir or tempfile.gettempdir()) / (
        f"knowledge-{kind}.{_dictionary_md5(tokenizer.dictionary)}.cache"
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one step (a reader sees the old file or the new, never half)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        log.warning("could not write the cache file %s", path)


def load_dictionary(tokenizer: jieba.Tokenizer) -> None:
    """Give `tokenizer` jieba's prefix dictionary (its words, their prefixes and counts).

    jieba keeps it in a marshal file that takes about a second of every start to read; the
    same words as one UTF-8 text beside an array of their counts read in about 0.2 s. The
    cache is named by the md5 of jieba's dictionary file and carries a digest of its content:
    a missing, damaged or unreadable one is built again the way jieba builds its own.
    """
    cache = _cache_path(tokenizer, "dict")
    try:
        loaded = _read_dictionary(cache.read_bytes())
    except (OSError, ValueError, KeyError, TypeError):
        loaded = None
    if loaded is not None:
        tokenizer.FREQ, tokenizer.total = loaded
        tokenizer.initialized = True
        return
    tokenizer.initialize()
    if not any("\n" in word for word in tokenizer.FREQ):
        _write_atomically(cache, _dictionary_bytes(tokenizer.FREQ, tokenizer.total))


def _dictionary_bytes(freq: dict[str, int], total: int) -> bytes:
    words = "\n".join(freq).encode("utf-8")
    counts = array("q", freq.values()).tobytes()
    body = words + counts
    head = {"total": total, "words": len(freq), "text": len(words), "digest": _digest(body)}
    return json.dumps(head).encode("ascii") + b"\n" + body


def _read_dictionary(data: bytes) -> tuple[dict[str, int], int] | None:
    """The dictionary and total of `_dictionary_bytes`, or None if `data` is not one whole."""
    head_line, _, body = data.partition(b"\n")
    head = json.loads(head_line)
    if not isinstance(head, dict) or head.get("digest") != _digest(body):
        return None
    counts = array("q")
    counts.frombytes(body[head["text"] :])
    words = body[: head["text"]].decode("utf-8").split("\n") if head["text"] else []
    if len(words) != head["words"] or len(counts) != head["words"]:
        return None
    return dict(zip(words, counts, strict=True)), int(head["total"])


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """Full-width to half-width and traditional to simplified, one character for one."""
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    simple = _T2S.convert(folded)
    return simple if len(simple) == 1 else folded


def fold(text: str) -> str:
    """Length-preserving normalisation, so offsets into the folded text are offsets into the original."""
    return "".join(fold_char(ch) for ch in text)


def is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    path = DATA / "stopwords.txt"
    words = path.read_text(encoding="utf-8").split()
    return frozenset(w for w in words if not w.startswith("#"))


class ChineseTokenizer(Tokenizer):
    """Word-order positions, real offsets, and sub-words of long words at the same position."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        folded = fold(value)
        pos = start_pos
        seg = segmenter()
        stop = load_stopwords()
        for word, start, end in seg.tokenize(folded):
            if not is_word(word):
                continue
            if removestops and word in stop:
                pos += (
                    1  # nor its sub-words (不晓 of 不晓得); the gap stays, as StopFilter leaves it
                )
                continue
            for sub, sub_start, sub_end in _with_subwords(seg, word, start, end):
                token.text = sub
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = value[sub_start:sub_end]
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + sub_start
                    token.endchar = start_char + sub_end
                yield token
            pos += 1


def _with_subwords(seg: jieba.Tokenizer, word: str, start: int, end: int):
    """The word itself, then the 2- and 3-character dictionary words inside it."""
    yield word, start, end
    if len(word) <= 2:
        return
    for n in (2, 3):
        if n >= len(word):
            break
        for i in range(len(word) - n + 1):
            sub = word[i : i + n]
            if seg.FREQ.get(sub):
                yield sub, start + i, start + i + n


@lru_cache(maxsize=1)
def chinese_analyzer():
    """The analyzer every text field and every query uses (stateless, so shared)."""
    return (
        ChineseTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=load_stopwords(), minsize=1, renumber=False)
    )


def analyze(text: str) -> list[str]:
    """The indexed words of a text, in order (sub-words included)."""
    return [t.text for t in chinese_analyzer()(text)]


def analyze_groups(text: str) -> list[list[str]]:
    """The indexed words grouped by position: a word and its sub-words form one group."""
    groups: dict[int, list[str]] = {}
    for token in chinese_analyzer()(text, positions=True):
        groups.setdefault(token.pos, []).append(token.text)
    return list(groups.values())


def ends_only(groups: list[list[str]]) -> frozenset[str]:
    """Of a text's word groups (`analyze_groups`), the sub-words it uses only as the last part
    of a longer word (贷款 where it writes only 助学贷款, 学生 where only 大学生). Chinese puts
    the general word last, so the text names a particular kind of it; a first part (低保 of
    低保户) is what the word is about."""
    ends: set[str] = set()
    whole: set[str] = set()
    for word, *parts in groups:
        whole.add(word)
        for part in parts:
            (ends if word.endswith(part) else whole).add(part)
    return frozenset(ends - whole)


class _TagTable:
    """jieba's dictionary part-of-speech flags, with our policy vocabulary's own on top.

    jieba's 350,000 words are kept as one sorted array of 64-bit numbers, each a 56-bit hash
    of the word and its flag's number: about 3 MB, where a dict of words and flags holds
    about 100 MB of the bot's memory. (Two words sharing a 56-bit hash are unlikely enough.)
    Building the array costs about a second, so it is kept in a cache file beside jieba's
    own (the hash is a stable one, not Python's per-process `hash`).
    """

    def __init__(self, packed: array, flags: list[str], own_lines) -> None:
        self._packed = packed
        self._flags = flags
        self._own = {parts[0]: parts[2] for parts in map(str.split, own_lines) if len(parts) == 3}

    def get(self, word: str, default: str) -> str:
        own = self._own.get(word)
        if own:
            return own
        key = _word_hash(word) << 8
        i = bisect_left(self._packed, key)
        if i < len(self._packed) and self._packed[i] >> 8 == key >> 8:
            return self._flags[self._packed[i] & 0xFF]
        return default


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=7).digest(), "little")


def _pack(general_lines) -> tuple[array, list[str]]:
    """The sorted (hash, flag number) array of jieba's dictionary lines, and the flags."""
    numbers: dict[str, int] = {}
    packed = []
    for line in general_lines:
        parts = line.split()
        if len(parts) == 3:
            number = numbers.setdefault(parts[2], len(numbers))
            packed.append(_word_hash(parts[0]) << 8 | number)
    packed.sort()
    return array("Q", packed), list(numbers)


def _cached_pack(tokenizer: jieba.Tokenizer) -> tuple[array, list[str]]:
    """`_pack` of the tokenizer's dictionary, read from the cache file when one matches it
    whole (its first line holds the flags and a digest of the array)."""
    # Not "pos", the name of the format before the digest: checkouts still reading that one,
    # on the same machine and temp directory, would take this file's first line for theirs.
    cache = _cache_path(tokenizer, "tags")
    try:
        head_line, _, body = cache.read_bytes().partition(b"\n")
        head = json.loads(head_line)
        if isinstance(head, dict) and head.get("digest") == _digest(body):
            packed = array("Q")
            packed.frombytes(body)
            return packed, [str(flag) for flag in head["flags"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    with tokenizer.get_dict_file() as fh:
        packed, flags = _pack(fh.read().decode("utf-8").splitlines())
    body = packed.tobytes()
    head = json.dumps({"flags": flags, "digest": _digest(body)}).encode("ascii")
    _write_atomically(cache, head + b"\n" + body)
    return packed, flags


@lru_cache(maxsize=1)
def _tag_table() -> _TagTable:
    packed, flags = _cached_pack(segmenter())
    return _TagTable(
        packed, flags, (DATA / "userdict.txt").read_text(encoding="utf-8").splitlines()
    )


def part_of_speech(word: str) -> str:
    """The dictionary flag of a word (n noun, v verb, …); x for words jieba only guessed.

    A table lookup, not jieba's HMM tagger: the tagger costs milliseconds a question and
    only ever labels unknown words, which are weighed by their length of ignorance anyway.
    """
    return _tag_table().get(word, "x")


# Digits and Chinese characters; a bigram never spans punctuation, a space or Latin letters
# (words in Latin letters are the word field's).
_GRAM_RUN = re.compile(r"[0-9\u4e00-\u9fff]+")


def grams(text: str) -> list[str]:
    """The character bigrams of a text after folding, in order, within runs of word characters."""
    out: list[str] = []
    for run in _GRAM_RUN.findall(fold(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


class GramTokenizer(Tokenizer):
    """One token per character bigram (no positions: bigrams are matched as a bag)."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, gram in enumerate(grams(value), start_pos):
            token.text = gram
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


@lru_cache(maxsize=1)
def gram_analyzer():
    return GramTokenizer()
