"""NPFL114 lecture 10 bank: seq2seq, attention, tying, BPE and WordPieces, verified independently.

Attention is recomputed with loops over source positions; tying by building the matrices; BPE and
WordPieces by running both algorithms (written here) on the corpus and dictionary read from the
bank's own prompts, so the numbers cannot drift from the tables a student sees.
"""
from __future__ import annotations

import itertools
import math
import re
from collections import Counter

import numpy as np
import pytest
from npfl_content_helpers import (
    assert_bank_shape,
    assert_checker_agrees,
    drawings,
    matrix_value,
    number,
    part,
    questions,
    values,
    variants,
    verdict,
)

LECTURE = 10
RNG = np.random.default_rng(10)


@pytest.fixture(scope="module")
def q():
    return questions(LECTURE)


def ticked_texts(p):
    return [c.text for c in p.choices if c.correct]


def test_bank_shape(tmp_path):
    assert_bank_shape(LECTURE, tmp_path)
    assert len(questions(LECTURE)) == 7


def test_checker_accepts_references_and_rejects_listed_wrong_answers():
    assert assert_checker_agrees(LECTURE) >= 14


def test_seq2seq_pictures_and_teacher_forcing(q):
    s2s = q["l10-seq2seq"]
    assert len(drawings(s2s)) == 2  # training and inference
    assert ticked_texts(part(s2s, "feed")) == ["The embedding of the gold target word $i - 1$."]
    assert len(drawings(q["l10-attention"])) == 1


def test_additive_attention_against_loops(q):
    att = q["l10-attention"]
    a, d, k, n = 4, 3, 5, 6
    v, V, W, b = RNG.normal(size=(a, 1)), RNG.normal(size=(a, d)), RNG.normal(size=(a, k)), RNG.normal(size=(a, 1))
    Hm, s = RNG.normal(size=(d, n)), RNG.normal(size=(k, 1))
    energies = []
    for j in range(n):
        e = 0.0
        for r in range(a):
            pre = sum(V[r, c] * Hm[c, j] for c in range(d)) + sum(W[r, c] * s[c, 0] for c in range(k)) + b[r, 0]
            e += v[r, 0] * math.tanh(pre)
        energies.append(e)
        got = matrix_value(part(att, "energy").answer, {"v": v, "V": V, "h": Hm[:, [j]], "W": W, "s": s, "b": b})
        assert got.shape == (1, 1) and math.isclose(got[0, 0], e, rel_tol=1e-12)
    weights = [math.exp(e) / sum(math.exp(x) for x in energies) for e in energies]
    context = [sum(weights[j] * Hm[c, j] for j in range(n)) for c in range(d)]
    got = matrix_value(part(att, "context").answer, {"Hm": Hm, "e": np.array(energies)[:, None]})
    np.testing.assert_allclose(got[:, 0], context, rtol=1e-12)
    # the first listed wrong energy (no tanh) really ignores the decoder state after the softmax
    lin = part(att, "energy").wrong_answers[0].answer
    alphas = []
    for s_ in (s, RNG.normal(size=(k, 1))):
        es = np.array([matrix_value(lin, {"v": v, "V": V, "h": Hm[:, [j]], "W": W, "s": s_, "b": b})[0, 0]
                       for j in range(n)])
        alphas.append(np.exp(es - es.max()) / np.exp(es - es.max()).sum())
    np.testing.assert_allclose(alphas[0], alphas[1], rtol=1e-10)
    for vv in variants(att):
        es = np.array([1.0, values(vv)["e2"], -1.0])
        assert math.isclose(number(part(vv, "weight").answer), (np.exp(es) / np.exp(es).sum())[1], rel_tol=1e-12)


def test_tying_saves_one_matrix(q):
    ty = q["l10-tying"]
    for v in variants(ty):
        V, D = int(values(v)["V"]), int(values(v)["D"])
        E, W_out = np.zeros((V, D), dtype=np.int8), np.zeros((D, V), dtype=np.int8)
        assert number(part(v, "saved").answer) == E.size + W_out.size - E.size
        assert W_out.shape == E.T.shape  # the output layer can be E^T
    E, o = RNG.normal(size=(7, 3)), RNG.normal(size=(3, 1))
    logits = E @ o
    assert logits.shape == (7, 1) and math.isclose(logits[2, 0], float(E[2] @ o[:, 0]))
    assert ticked_texts(part(ty, "logits")) == ["$E\\,o$, a score $e_w^T o$ for each word $w$"]


def corpus_from_prompt(prompt: str) -> dict[str, int]:
    words = re.search(r"^\| word \| (.*) \|$", prompt, flags=re.MULTILINE).group(1).split(" | ")
    counts = re.search(r"^\| count \| (.*) \|$", prompt, flags=re.MULTILINE).group(1).split(" | ")
    return dict(zip(words, map(int, counts)))


def bpe(corpus: dict[str, int], n_merges: int):
    """Plain BPE: merge the most frequent adjacent pair (asserting it is unique), n times."""
    words = {tuple(w): c for w, c in corpus.items()}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, c in words.items():
            for x, y in itertools.pairwise(w):
                pairs[(x, y)] += c
        (best, nb), (_, second) = pairs.most_common(2)
        assert nb > second, "the corpus must not leave a tie"
        merges.append(best)
        new = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] = c
        words = new
    return merges, words


def test_bpe_on_the_prompts_corpus(q):
    bq = q["l10-bpe"]
    corpus = corpus_from_prompt(bq.prompt)
    assert corpus == {"seed": 2, "deeper": 2, "reed": 6, "peer": 4, "zoo": 2}
    merges, words = bpe(corpus, 3)
    assert merges == [("e", "e"), ("ee", "d"), ("r", "eed")]
    assert ticked_texts(part(bq, "first")) == [" + ".join(merges[0])]
    tokens = sum(len(w) * c for w, c in words.items())
    assert number(part(bq, "tokens").answer) == tokens
    assert sum(len(w) * c for w, c in corpus.items()) == 66  # as the solution says
    two = sum(len(w) * c for w, c in bpe(corpus, 2)[1].items())
    assert [number(w.answer) for w in part(bq, "tokens").wrong_answers] == [66, two]


def wordpiece_best(corpus: dict[str, int]):
    units, pairs = Counter(), Counter()
    for w, c in corpus.items():
        for ch in w:
            units[ch] += c
        for x, y in itertools.pairwise(w):
            pairs[(x, y)] += c
    scores = sorted(((pairs[p] / (units[p[0]] * units[p[1]]), p) for p in pairs), reverse=True)
    assert scores[0][0] > scores[1][0]
    return scores[0][1], units, pairs


def greedy_longest_match(word: str, vocab: set[str]) -> list[str]:
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            return ["[UNK]"]
    return pieces


def test_wordpieces_merge_and_segmentation(q):
    wq = q["l10-wordpieces"]
    corpus = corpus_from_prompt(q["l10-bpe"].prompt)
    assert "seed 2, deeper 2, reed 6, peer 4, zoo 2" in wq.prompt
    best, units, pairs = wordpiece_best(corpus)
    assert ticked_texts(part(wq, "first")) == [" + ".join(best)]
    assert best != bpe(corpus, 1)[0][0]  # the two criteria disagree on this corpus
    assert units["e"] == 30 and pairs[("e", "e")] == 14 and "14/(30\\cdot 30)" in wq.solution
    vocab_text = re.search(r"\\\{\$(.*?)\$\\\}", wq.prompt).group(1)
    vocab = {p.strip().replace("\\#", "#") for p in vocab_text.split(",")}
    assert "##play" in vocab and "re" in vocab
    seg = greedy_longest_match("replayed", vocab)
    assert ticked_texts(part(wq, "segment")) == [" · ".join(s.replace("#", "\\#") for s in seg)]
    # replaying BPE-style merges could segment differently: the statements of the comparison question
    assert [c.correct for c in part(q["l10-bpe-vs-wordpieces"], "statements").choices] == [True, True, False, False]


def apply_merges(word: str, merges) -> list[str]:
    symbols = list(word)
    for a, b in merges:
        out, i = [], 0
        while i < len(symbols):
            if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == (a, b):
                out.append(a + b)
                i += 2
            else:
                out.append(symbols[i])
                i += 1
        symbols = out
    return symbols


def test_bpe_segmentation_replays_the_learned_merges(q):
    ap = q["l10-bpe-apply"]
    merges, _ = bpe(corpus_from_prompt(q["l10-bpe"].prompt), 3)
    assert "e + e, ee + d, r + eed" in ap.prompt and [" + ".join(m) for m in merges] == ["e + e", "ee + d", "r + eed"]
    assert ticked_texts(part(ap, "deed")) == [" · ".join(apply_merges("deed", merges))]
    assert number(part(ap, "freed").answer) == len(apply_merges("freed", merges))
    assert apply_merges("freed", merges) == ["f", "reed"] and len(apply_merges("deer", merges)) == 3


def test_typical_student_spellings_are_accepted(q):
    typed = {("l10-attention", "energy"): "v^T tanh(V h + W s + b)", ("l10-attention", "context"): "Hm softmax(e)"}
    for (qid, pid), text in typed.items():
        r = verdict(part(q[qid], pid), text)
        assert r.correct, (qid, pid, text, r.message)
