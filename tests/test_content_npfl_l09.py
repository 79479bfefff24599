"""NPFL114 lecture 9 bank: CRF, CTC, word2vec. Every reference re-derived independently.

The CRF example is solved by enumerating all 2^3 label sequences (and the forward and Viterbi
recursions are cross-checked against that enumeration); CTC counts by collapsing every alignment;
hierarchical softmax on an explicit tree; SkipGram pairs by sliding the window; the noise
distribution by sampling from it.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy
from npfl_content_helpers import (
    assert_bank_shape,
    assert_checker_agrees,
    drawings,
    expr,
    number,
    part,
    questions,
    values,
    variants,
    verdict,
)

LECTURE = 9
LABELS = "AB"
EMIT = [{"A": 1, "B": 0}, {"A": 0, "B": 2}, {"A": 2, "B": 1}]  # as in the prompts' table


@pytest.fixture(scope="module")
def q():
    return questions(LECTURE)


def trans(a):
    return {("A", "A"): a, ("A", "B"): -0.5, ("B", "A"): 1.0, ("B", "B"): 0.0}


def crf_scores(a):
    """Score of every label sequence, from the definition: emissions plus transitions."""
    A = trans(a)
    return {"".join(y): sum(EMIT[i][y[i]] for i in range(3)) + sum(A[(y[i - 1], y[i])] for i in (1, 2))
            for y in itertools.product(LABELS, repeat=3)}


def logsumexp(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def test_bank_shape(tmp_path):
    assert_bank_shape(LECTURE, tmp_path)
    assert len(questions(LECTURE)) == 10


def test_checker_accepts_references_and_rejects_listed_wrong_answers():
    assert assert_checker_agrees(LECTURE) > 40


def test_the_example_table_in_the_prompt_is_the_one_tested(q):
    prompt = variants(q["l09-crf-score"])[1].prompt
    assert "| $f(A)$ | 1 | 0 | 2 |" in prompt and "| $f(B)$ | 0 | 2 | 1 |" in prompt
    assert "$A_{A,A} = 1$" in prompt and "$A_{A,B} = -0.5$" in prompt and "$A_{B,A} = 1$" in prompt
    for qid in ("l09-crf-forward", "l09-crf-viterbi"):
        assert "$f(A) = (1, 0, 2)$, $f(B) = (0, 2, 1)$" in q[qid].prompt


def test_crf_score_and_log_probability_by_enumeration(q):
    for v in variants(q["l09-crf-score"]):
        a = values(v)["a"]
        scores = crf_scores(a)
        assert math.isclose(number(part(v, "score").answer), scores["AAB"])
        logp = scores["AAB"] - logsumexp(list(scores.values()))
        assert math.isclose(number(part(v, "logp").answer), logp, rel_tol=1e-12)
        probs = {y: math.exp(s - logsumexp(list(scores.values()))) for y, s in scores.items()}
        assert math.isclose(sum(probs.values()), 1.0)
        for w in part(v, "logp").wrong_answers:
            assert abs(number(w.answer) - logp) > 0.01


def forward(a):
    A = trans(a)
    alpha = [{k: EMIT[0][k] for k in LABELS}]
    for i in (1, 2):
        alpha.append({k: EMIT[i][k] + logsumexp([alpha[-1][j] + A[(j, k)] for j in LABELS]) for k in LABELS})
    return alpha


def viterbi(a):
    A = trans(a)
    delta, back = [{k: EMIT[0][k] for k in LABELS}], []
    for i in (1, 2):
        best = {k: max(LABELS, key=lambda j, k=k: delta[-1][j] + A[(j, k)]) for k in LABELS}
        back.append(best)
        delta.append({k: EMIT[i][k] + delta[-1][best[k]] + A[(best[k], k)] for k in LABELS})
    y = [max(LABELS, key=lambda k: delta[-1][k])]
    for b in reversed(back):
        y.insert(0, b[y[0]])
    return max(delta[-1].values()), "".join(y)


def test_crf_forward_algorithm_matches_enumeration(q):
    for v in variants(q["l09-crf-forward"]):
        a = values(v)["a"]
        alpha = forward(a)
        scores = crf_scores(a)
        assert math.isclose(logsumexp(list(alpha[-1].values())), logsumexp(list(scores.values())))
        # alpha_2(A) is the log-sum-exp of the prefixes y1 y2 = ?A
        prefixes = [EMIT[0][y1] + EMIT[1]["A"] + trans(a)[(y1, "A")] for y1 in LABELS]
        assert math.isclose(alpha[1]["A"], logsumexp(prefixes))
        assert math.isclose(number(part(v, "alpha").answer), alpha[1]["A"], rel_tol=1e-12)
    assert [c.correct for c in part(q["l09-crf-forward"], "complexity").choices] == [False, True, False, False]


def test_crf_viterbi_matches_enumeration(q):
    seen = set()
    for v in variants(q["l09-crf-viterbi"]):
        a = values(v)["a"]
        scores = crf_scores(a)
        best_seq = max(scores, key=scores.get)
        assert max(scores.values()) > sorted(scores.values())[-2]  # a unique best sequence
        best, seq = viterbi(a)
        assert seq == best_seq and math.isclose(best, scores[best_seq])
        assert math.isclose(number(part(v, "best").answer), best)
        for w in part(v, "best").wrong_answers:
            assert abs(number(w.answer) - best) > 0.1
        seen.add(seq)
    assert seen == {"ABA", "AAA"}  # as the solution says: ABA for a < 1.25, AAA above
    assert [c.correct for c in part(q["l09-crf-viterbi"], "pointers").choices] == [True, False, False, False]


def collapse(path: str) -> str:
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return "".join(c for c in merged if c != "-")


def ctc_forward(probs, y):
    """p(y|X) by the extended-labeling recursion of the solution."""
    ext = "-" + "-".join(y) + "-"
    T, S = len(probs), len(ext)
    alpha = np.zeros((T, S))
    alpha[0, 0], alpha[0, 1] = probs[0]["-"], probs[0][ext[1]]
    for t in range(1, T):
        for s in range(S):
            tot = alpha[t - 1, s] + (alpha[t - 1, s - 1] if s >= 1 else 0)
            if s >= 2 and ext[s] != "-" and ext[s] != ext[s - 2]:
                tot += alpha[t - 1, s - 2]
            alpha[t, s] = probs[t][ext[s]] * tot
    return alpha[-1, -1] + alpha[-1, -2]


def test_ctc_length_count_and_collapse_by_brute_force(q):
    ctc = q["l09-ctc"]
    n = sympy.Symbol("n", real=True)
    length = expr(part(ctc, "length").answer, ["n"])
    for y in ("a", "ab", "abc", "abba"):
        assert length.subs(n, len(y)) == len("-" + "-".join(y) + "-")
    for v in variants(ctc):
        T = int(values(v)["T"])
        count = sum(collapse("".join(p)) == "ab" for p in itertools.product("ab-", repeat=T))
        assert number(part(v, "count").answer) == count
        assert count == math.comb(T + 2, 4)
    choices = part(ctc, "collapse").choices
    picked = [collapse(c.text.replace("–", "-").replace(" ", "")) == "aab" for c in choices]
    assert picked == [c.correct for c in choices]
    # the forward recursion sums exactly the alignments that collapse to y
    rng = np.random.default_rng(9)
    for y in ("ab", "aa", "aab"):
        T = 5
        probs = [dict(zip("ab-", rng.dirichlet(np.ones(3)))) for _ in range(T)]
        brute = sum(math.prod(probs[t][c] for t, c in enumerate(p))
                    for p in itertools.product("ab-", repeat=T) if collapse("".join(p)) == y)
        assert math.isclose(ctc_forward(probs, y), brute, rel_tol=1e-12)


def prefix_beam_search(frames, k):
    """The beam search of the solution: k collapsed prefixes, each with P(ends in blank), P(ends in label)."""
    beams = {"": (1.0, 0.0)}
    for probs in frames:
        new = {}
        for prefix, (pb, pnb) in beams.items():
            for c, p in probs.items():
                if c == "-":
                    targets = [(prefix, (pb + pnb) * p, 0.0)]
                elif prefix and prefix[-1] == c:  # the same label again: new only after a blank
                    targets = [(prefix, 0.0, pnb * p), (prefix + c, 0.0, pb * p)]
                else:
                    targets = [(prefix + c, 0.0, (pb + pnb) * p)]
                for t, add_b, add_nb in targets:
                    ob, onb = new.get(t, (0.0, 0.0))
                    new[t] = (ob + add_b, onb + add_nb)  # merge equal prefixes by adding
        beams = dict(sorted(new.items(), key=lambda kv: -sum(kv[1]))[:k])
    return {prefix: sum(v) for prefix, v in beams.items()}


def test_ctc_beam_search_against_brute_force_and_greedy(q):
    assert [c.correct for c in part(q["l09-ctc-beam"], "facts").choices] == [True, True, False, False]
    rng = np.random.default_rng(3)
    for _ in range(5):  # with a wide beam the prefix probabilities are exact labeling probabilities
        frames = [dict(zip("ab-", rng.dirichlet(np.ones(3)))) for _ in range(4)]
        brute = {}
        for path in itertools.product("ab-", repeat=4):
            lab = collapse("".join(path))
            brute[lab] = brute.get(lab, 0) + math.prod(frames[t][c] for t, c in enumerate(path))
        beam = prefix_beam_search(frames, k=100)
        for lab, prob in brute.items():
            assert math.isclose(beam[lab], prob, rel_tol=1e-12)
    # beam size 1 is not greedy best-path decoding ("With beam size 1 ..." is rightly unticked)
    frames = [{"a": 0.6, "b": 0.1, "-": 0.3}, {"a": 0.30, "b": 0.36, "-": 0.34}]
    greedy = collapse("".join(max(f, key=f.get) for f in frames))
    assert greedy == "ab" and list(prefix_beam_search(frames, k=1)) == ["a"]
    # and the best path can miss the best labeling: "--" wins per frame, but "a" is more probable
    frames = [{"a": 0.4, "b": 0.0, "-": 0.6}] * 2
    assert collapse("--") == "" and prefix_beam_search(frames, k=3)["a"] > prefix_beam_search(frames, k=3)[""]


def test_cbow_parameters_and_choices(q):
    cb = q["l09-cbow"]
    for v in variants(cb):
        V, D = int(values(v)["V"]), int(values(v)["D"])
        W, W_out = np.zeros((V, D), dtype=np.int8), np.zeros((D, V), dtype=np.int8)
        assert number(part(v, "params").answer) == W.size + W_out.size
    assert [c.correct for c in part(cb, "nonlinearity").choices] == [True, False, False, False]
    assert len(drawings(cb)) == 1 and len(drawings(q["l09-skipgram"])) == 1


def test_skipgram_pairs_by_sliding_the_window(q):
    sg = q["l09-skipgram"]
    for v in variants(sg):
        N, w = int(values(v)["N"]), int(values(v)["w"])
        pairs = [(i, j) for i in range(N) for j in range(max(0, i - w), min(N, i + w + 1)) if j != i]
        assert number(part(v, "pairs").answer) == len(pairs)
    assert [c.correct for c in part(sg, "predicts").choices] == [True, False, False, False]


def test_hierarchical_softmax_on_an_explicit_tree(q):
    hs = q["l09-hsoftmax"]
    rng = np.random.default_rng(10)
    depth = 3
    scores = rng.normal(size=2 ** depth - 1)  # inner nodes of a complete tree, heap order

    def leaf_prob(bits, sc):
        node, p = 0, 1.0
        for b in bits:  # 0 = left with sigma(s), 1 = right with 1 - sigma(s)
            s = 1 / (1 + math.exp(-sc[node]))
            p *= s if b == 0 else 1 - s
            node = 2 * node + 1 + b
        return p

    assert math.isclose(sum(leaf_prob(b, scores) for b in itertools.product((0, 1), repeat=depth)), 1.0)
    for v in variants(hs):
        V, z1, z2 = values(v)["V"], values(v)["z1"], values(v)["z2"]
        levels, size = 0, 1
        while size < V:  # levels of a balanced binary tree with V leaves
            size, levels = size * 2, levels + 1
        assert math.isclose(number(part(v, "depth").answer), levels)
        # heap order: the root (0) holds z1, its left child (1) z2, that node's right child (4) z3 = 0
        sc = np.array([z1, z2, 5.0, -4.0, 0.0, 3.0, 2.0])
        assert math.isclose(number(part(v, "path").answer), leaf_prob((0, 1, 0), sc), rel_tol=1e-12)


def test_negative_sampling_distribution_by_sampling(q):
    ns = q["l09-negative-sampling"]
    rng = np.random.default_rng(12)
    for v in variants(ns):
        counts = np.array([values(v)["n1"], 100, 10, 1], dtype=float)
        dist = counts ** 0.75 / (counts ** 0.75).sum()
        draws = rng.choice(4, size=400_000, p=dist)
        freq = (draws == 2).mean()
        ans = number(part(v, "noise").answer)
        assert math.isclose(ans, dist[2], rel_tol=1e-12)
        assert abs(freq - ans) < 5 * math.sqrt(ans * (1 - ans) / 400_000)
        unigram = counts / counts.sum()
        assert unigram[2] < ans < 0.25  # between the unigram and the uniform distribution
    # the loss: binary cross-entropy with target 1 for the pair and 0 for each negative
    s, t1, t2 = sympy.symbols("s t1 t2", real=True)
    loss = expr(part(ns, "loss").answer, ["s", "t1", "t2"])
    sig = lambda u: 1 / (1 + sympy.exp(-u))
    bce = -sympy.log(sig(s)) - sympy.log(1 - sig(t1)) - sympy.log(1 - sig(t2))
    for pt in ({s: 0.3, t1: -1.2, t2: 2.0}, {s: -2.0, t1: 0.5, t2: 0.1}):
        assert abs(float((loss - bce).subs(pt))) < 1e-12


def test_ctc_loss_drill_by_enumerating_alignments(q):
    dr = q["l09-ctc-loss-drill"]
    assert dr.n_variants == 4
    for v in variants(dr):
        p1, p2 = values(v)["p1"], values(v)["p2"]
        probs = [{"a": p1, "b": 0.1, "-": 0.9 - p1}, {"a": p2, "b": 0.1, "-": 0.9 - p2}]
        assert all(math.isclose(sum(fr.values()), 1) for fr in probs)
        p = sum(probs[0][x] * probs[1][y] for x, y in itertools.product("ab-", repeat=2) if collapse(x + y) == "a")
        assert math.isclose(p, ctc_forward(probs, "a"))
        assert math.isclose(number(part(v, "loss").answer), -math.log(p), rel_tol=1e-12)
        for w in part(v, "loss").wrong_answers:
            assert abs(number(w.answer) + math.log(p)) > 0.001


def test_typical_student_spellings_are_accepted(q):
    typed = {("l09-ctc", "length"): "2n+1",
             ("l09-negative-sampling", "loss"): "-ln(σ(s)) - ln(1-σ(t1)) - ln(1-σ(t2))"}
    for (qid, pid), text in typed.items():
        r = verdict(part(q[qid], pid), text)
        assert r.correct, (qid, pid, text, r.message)
    v = variants(q["l09-crf-score"])[2]  # a = 2
    assert verdict(part(v, "score"), "3.5").correct and not verdict(part(v, "score"), "4").correct
