"""From what a resident types to the words the policy documents use.

Residents write 娃上学, 看病报销, 房子漏, 低宝 and 咋个; the plans write 教育扶贫, 医疗保障,
危房改造, 低保. A question goes through: normalisation (full-width, traditional, punctuation),
place recognition, segmentation, the domain lexicon (everyday words → policy words),
and homophone/typo repair against the index vocabulary by pinyin.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from pypinyin import lazy_pinyin
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.analyzer import analyze_groups, grams, load_stopwords, part_of_speech, segmenter
from knowledge.cleaning import normalize
from knowledge.places import Gazetteer, Place
from knowledge.search import WeightedTerm

DATA = Path(__file__).parent / "data"
EXPANSION_WEIGHT = 0.6
# A stretch that jieba's general dictionary counts this often is a real word, not a typo.
TYPO_MAX_FREQ = 5
# Words this common in general Chinese (政府, 今天) do not make a question a policy question.
EVERYDAY_FREQ = 10000
# Characters that glue words together; a stretch containing one is never taken for a typo.
FUNCTION_CHARS = "一不人到在是了的有个这那就都也还又很给把被让从对向和与及或"
# Speech glues helper words to a verb or adjective (想查, 帮着, 冷得, 补得, 交喃): a stretch no
# dictionary knows is read without the modal or adverb before it and the aspect particle,
# complement marker or sentence particle after it.
GLUED_BEFORE = "想要会能该得去来还都就才也又再没冇不哪啥咋"
GLUED_AFTER = "着了过得下要才点个喃嘛哦咯呢啊吧呀噻撒哈"
# A sub-word of a typed compound shows a passage is about it only when it is at least this
# share as specific (by idf) as the compound's most specific word.
SUBWORD_SHARE = 0.5
AMOUNT_WORDS = re.compile(
    r"多少|几多|好多钱|几个|几年|几次|几天|几回|几档|哪一档|哪档|标准|比例|多高|多大|多长|多久|几成|几公里|多远"
)


@dataclass(frozen=True)
class Concept:
    """One thing the resident asked about, and every index word that would show it."""

    typed: str
    words: frozenset[str]
    pos: str = "n"
    expanded: bool = False  # from the lexicon: `words` are policy words, not sub-words


@dataclass
class Query:
    text: str
    place: Place | None
    terms: list[WeightedTerm] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    asks_amount: bool = False
    phrases: list[tuple[str, str]] = field(default_factory=list)
    in_domain: bool = True
    grams: list[str] = field(default_factory=list)  # character bigrams, for the bigram view

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.terms]


def load_lexicon(path: Path = DATA / "lexicon.tsv") -> list[tuple[str, tuple[str, ...]]]:
    """Lines `everyday phrase<TAB>policy word policy word …`; # starts a comment."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "\t" not in line:
            continue
        phrase, targets = line.split("\t", 1)
        entries.append((normalize(phrase.strip()), tuple(targets.split())))
    # Longest phrases first, so 看病报销 is tried before 看病.
    return sorted(entries, key=lambda e: len(e[0]), reverse=True)


def load_short_verbs(path: Path = DATA / "short_verbs.tsv") -> dict[str, tuple[str, ...]]:
    """Lines `verb<TAB>policy word policy word …`; # starts a comment."""
    verbs: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            verb, _, targets = line.partition("\t")
            verbs[verb.strip()] = tuple(targets.split())
    return verbs


def domain_terms(lexicon: list[tuple[str, tuple[str, ...]]]) -> frozenset[str]:
    """Words that mark a question as being about poverty-alleviation policy at all: the
    lexicon's phrases and targets and the policy vocabulary taught to jieba."""
    terms = {phrase for phrase, _ in lexicon}
    terms |= {g[0] for _, targets in lexicon for t in targets for g in analyze_groups(t)}
    userdict = DATA / "userdict.txt"
    terms |= {
        line.split()[0]
        for line in userdict.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    return frozenset(terms)


@lru_cache(maxsize=65536)
def pinyin_key(word: str) -> str:
    return " ".join(lazy_pinyin(word))


# The sounds pinyin input methods offer to confuse (模糊音), because much of the south does not
# tell them apart: zh/z, ch/c, sh/s, n/l, f/hu, and -ng/-n (ang/an, eng/en, ing/in).
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
# hu- said as f- (荒/房, 灰/飞, 婚/分): hua → fa, hui → fei, hun → fen.
_HU_AS_F = {"": "u", "i": "ei", "n": "en"}


def fuzzy_syllable(syllable: str) -> str:
    if syllable.startswith("hu"):
        rest = syllable[2:]
        syllable = "f" + _HU_AS_F.get(rest, rest)
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            return syllable[: -len(a)] + b
    return syllable


@lru_cache(maxsize=65536)
def fuzzy_key(word: str) -> str:
    """The pinyin with the commonly confused sounds merged: 森活 and 生活 both give `sen huo`."""
    return fuzzy_of(pinyin_key(word))


def fuzzy_of(pinyin: str) -> str:
    return " ".join(fuzzy_syllable(s) for s in pinyin.split())


def _indexed(word: str) -> bool:
    """Words the typo repair looks up by sound: two to four Chinese characters."""
    return 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word)


def vocabulary_pinyin(words: Iterable[str], cache: Path) -> dict[str, str]:
    """The pinyin of each word the typo repair looks up, kept in `cache` (a file beside one
    index version, so it can never be stale): working it out is most of a start's time."""
    wanted = sorted(w for w in words if _indexed(w))
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(stored, dict) and all(w in stored for w in wanted):
            return {w: str(stored[w]) for w in wanted}
    except (OSError, ValueError):
        pass
    keys = {w: pinyin_key(w) for w in wanted}
    try:
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".pinyin-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(keys, handle, ensure_ascii=False)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only index still answers; the next start works it out again
    return keys


class Understanding:
    def __init__(
        self,
        gazetteer: Gazetteer,
        vocabulary: dict[str, float],
        topical: set[str] | None = None,
        pinyin: dict[str, str] | None = None,
    ) -> None:
        """`vocabulary` maps every indexed body word to its idf; `topical` are the corpus
        words that recur in the plans, which mark a question as in their domain; `pinyin`
        holds the words' pinyin when already known (`vocabulary_pinyin`)."""
        self.gazetteer = gazetteer
        self.idf = vocabulary
        self.lexicon = load_lexicon()
        self.phrases = frozenset(phrase for phrase, _ in self.lexicon)
        self.short_verbs = {
            verb: frozenset(w for w in targets if w in vocabulary)
            for verb, targets in load_short_verbs().items()
        }
        everyday = {w for w in (topical or ()) if segmenter().FREQ.get(w, 0) >= EVERYDAY_FREQ}
        # Only Chinese words: a number or a Latin fragment the plans repeat (1, pdf) is no topic.
        self.domain = domain_terms(self.lexicon) | {
            w for w in (topical or ()) if w not in everyday and _chinese(w)
        }
        self.function_chars = function_chars()
        self._by_pinyin: dict[str, list[str]] = {}
        self._by_fuzzy: dict[str, list[str]] = {}
        known = pinyin or {}
        for word in vocabulary:
            if _indexed(word):
                sound = known.get(word) or pinyin_key(word)
                self._by_pinyin.setdefault(sound, []).append(word)
                self._by_fuzzy.setdefault(fuzzy_of(sound), []).append(word)
        self._keys_by_length: dict[int, list[str]] = {}
        for key, words in self._by_pinyin.items():
            self._keys_by_length.setdefault(len(words[0]), []).append(key)

    def parse(self, question: str, region: str | None = None) -> Query:
        text = normalize(question or "")[:500]
        explicit = self.gazetteer.resolve(region)
        found = self.gazetteer.find(text)
        place = explicit or found
        rest = self._repair(self.gazetteer.remove(text))
        bigrams = grams(rest)
        weights: dict[str, float] = {}
        concepts: list[Concept] = []
        for phrase, targets in self.lexicon:
            if phrase and phrase in rest and not self._inside_policy_word(rest, phrase):
                rest = rest.replace(phrase, " ")
                # Whole target words only: 最低生活保障 must not count as present where
                # only 生活 or 保障 is.
                words = [g[0] for t in targets for g in analyze_groups(t)]
                # The plans use the resident's own word too (工作队); a single character
                # (路 of 路费) is too often part of another word to count.
                if len(phrase) > 1 and phrase in self.idf and phrase not in words:
                    words.append(phrase)
                for word in words:
                    typed = word in phrase  # 低保 typed as 低保 counts in full
                    weights[word] = max(weights.get(word, 0.0), 1.0 if typed else EXPANSION_WEIGHT)
                concepts.append(Concept(phrase, frozenset(words), expanded=True))
        groups = [g for group in analyze_groups(rest) for g in self._unglue(group)]
        phrases = [
            (a[0], b[0])
            for a, b in itertools.pairwise(groups)
            if a[0] in self.idf and b[0] in self.idf
        ]
        for group in groups:
            for word in group:
                weights[word] = 1.0
            if group[0] in {c.typed for c in concepts}:
                continue
            # 搬 of 搬迁户搬完了 adds nothing: the question already names 搬迁.
            said = self.short_verbs.get(group[0], frozenset()) - weights.keys()
            for word in sorted(said):  # a set's order changes from run to run
                weights.setdefault(word, EXPANSION_WEIGHT)
            concepts.append(
                Concept(group[0], self._telling(group) | said, part_of_speech(group[0]))
            )
        terms = [WeightedTerm(w, weight) for w, weight in weights.items()]
        # A sub-word does not count: 结婚登记 is no policy word because 登记 is one.
        in_domain = any(
            c.typed in self.domain or (c.expanded and c.words & self.domain) for c in concepts
        )
        return Query(
            text,
            place,
            terms,
            concepts,
            bool(AMOUNT_WORDS.search(text)),
            phrases,
            in_domain,
            bigrams,
        )

    def _telling(self, group: list[str]) -> frozenset[str]:
        """The words that show a passage is about what was typed: the word and those of its
        sub-words nearly as specific as the most specific one. A generic part (扶贫 in
        扶贫小额信贷, 收入 in 低收入户) is in most passages and would count any as covering it."""
        best = max((self.idf.get(w, 0.0) for w in group), default=0.0)
        return frozenset(
            w for w in group if w == group[0] or self.idf.get(w, 0.0) >= SUBWORD_SHARE * best
        )

    def _unglue(self, group: list[str]) -> list[list[str]]:
        """The group as it stands, or, for a glued stretch no dictionary knows (想查), the
        groups of its core (查), and for a doubled or A-not-A verb the plans never use, the verb;
        nothing when it was all helper words."""
        word = group[0]
        if word not in self.idf and (
            (len(word) == 2 and word[0] == word[1])
            or (len(word) == 3 and word[0] == word[2] and word[1] in "不没冇")
        ):
            return analyze_groups(word[0])  # 问问, 查查; 补不补, 批没批: the verb itself
        if (
            len(group) > 1
            or len(word) < 2
            or word in self.idf
            or segmenter().FREQ.get(word, 0) >= TYPO_MAX_FREQ
        ):
            return [group]
        core = word
        while len(core) > 1 and core[0] in GLUED_BEFORE:
            core = core[1:]
        while len(core) > 1 and core[-1] in GLUED_AFTER:
            core = core[:-1]
        if core == word:
            return [group]
        return analyze_groups(core)

    def _inside_policy_word(self, text: str, phrase: str) -> bool:
        """Whether the phrase is only part of a longer word the plans use (搬迁 in 易地搬迁),
        which is then searched as it stands rather than expanded."""
        return any(
            phrase in word and len(word) > len(phrase) and word in self.idf
            for word in segmenter().lcut(text)
        )

    def _repair(self, text: str) -> str:
        """Replace typed stretches that sound like a corpus word but are no word (低宝 → 低保).

        A homophone typo is usually not in jieba's dictionary, so it falls apart into single
        characters (低/宝) or forms a rare pseudo-word (危方); only such stretches are tried,
        and never across function characters (一到, 人是 are no typos).
        """
        words = segmenter().lcut(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                run = words[i : i + n]
                gram = "".join(run)
                fixed = len(run) == n and 2 <= len(gram) <= 3 and self._correction(gram)
                if fixed:
                    out.append(fixed)
                    i += n
                    break
            else:
                out.append(self._repair_inside(words[i]))
                i += 1
        return "".join(out)

    def _repair_inside(self, word: str) -> str:
        """jieba may glue a typo to its neighbour (医宝能): try the two-character ends."""
        if len(word) != 3 or segmenter().FREQ.get(word, 0) >= TYPO_MAX_FREQ:
            return word
        for start in (0, 1):
            fixed = self._correction(word[start : start + 2])
            if fixed:
                return word[:start] + fixed + word[start + 2 :]
        return word

    def _correction(self, gram: str) -> str | None:
        """The most specific corpus word the gram sounds like, if the gram may be a typo."""
        if not self._typo_candidate(gram):
            return None
        candidates = self._sounds_like(gram)
        return max(candidates, key=lambda w: self.idf.get(w, 0.0)) if candidates else None

    def _typo_candidate(self, gram: str) -> bool:
        """A stretch of Chinese that neither the plans, the lexicon (通网 is no 同网) nor
        jieba's dictionary knows as a word."""
        return (
            all("\u4e00" <= ch <= "\u9fff" and ch not in self.function_chars for ch in gram)
            and gram not in self.idf
            and gram not in self.phrases
            and segmenter().FREQ.get(gram, 0) < TYPO_MAX_FREQ
        )

    def _sounds_like(self, gram: str) -> list[str]:
        key = pinyin_key(gram)
        exact = [w for w in self._by_pinyin.get(key, []) if shares_char(w, gram)]
        if not exact:
            exact = [w for w in self._by_fuzzy.get(fuzzy_key(gram), []) if shares_char(w, gram)]
        if exact or len(gram) < 3:
            return exact
        keys = self._keys_by_length.get(len(gram), [])
        near = process.extract(key, keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
        return [
            w
            for k, _, _ in near
            for w in self._by_pinyin[k]
            if shares_char(w, gram) and sum(a != b for a, b in zip(w, gram, strict=False)) == 1
        ]


def _chinese(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


@cache
def function_chars() -> frozenset[str]:
    """Characters that glue words together: one-character stopwords and FUNCTION_CHARS."""
    return frozenset({w for w in load_stopwords() if len(w) == 1} | set(FUNCTION_CHARS))


def shares_char(a: str, b: str) -> bool:
    """A homophone typo keeps most characters: 低宝/低保 share 低; unrelated words share none."""
    same = sum(x == y for x, y in zip(a, b, strict=False))
    return same >= max(1, len(a) // 2)
