"""Search: folding of case, accents and LaTeX; every word must match; ranking by field; deep links."""
from __future__ import annotations

from quizlib.model import Bank
from quizlib.search import deep_link, fold, search
from study_fixtures import q


def corpus():
    return [
        Bank(id="l1", title="L1", path="l1.md", questions=(
            q("ce-derivation", "l1", title="Derive cross-entropy", topics=("losses",),
              prompt=r"Derive $C$ from $\partial C/\partial b = a - y$ for a $\sigma$ neuron."),
            q("mse-grad", "l1", title="MSE gradient", topics=("losses", "mse"),
              prompt="The loss is $(o-g)^2$.", solution="Unlike cross-entropy, MSE saturates."),
            q("entropie", "l1", title="Kreuzentropie für eine Sigmoid-Einheit", topics=("Verluste",),
              prompt="Leiten Sie die Kreuzentropie her.")),
               ),
        Bank(id="l2", title="L2", path="l2.md", questions=(
            q("dropout-scale", "l2", title="Inverted dropout", topics=("regularisation",),
              prompt="With drop probability $p$, by what do we scale at training time?",
              solution=r"By $\frac{1}{1-p}$; the cross-entropy is unchanged."),
        )),
    ]


def ids(hits):
    return [h.question.id for h in hits]


def test_fold():
    assert fold("Kreuzentropie FÜR eine Einheit") == "kreuzentropie fur eine einheit"
    assert fold(r"$\sigma(z)$ and \frac{1}{1-p}") == "sigma z and frac 1 1 p"
    assert fold("Größe") == "grosse"


def test_title_beats_prompt_beats_solution():
    assert ids(search(corpus(), "cross-entropy")) == ["ce-derivation", "mse-grad", "dropout-scale"]


def test_every_word_must_match_and_prefixes_count():
    assert ids(search(corpus(), "dropout scale")) == ["dropout-scale"]
    assert ids(search(corpus(), "dropout mse")) == []
    assert ids(search(corpus(), "satur")) == ["mse-grad"]
    assert ids(search(corpus(), "sigma")) == ["ce-derivation"]  # from \sigma in the prompt


def test_case_and_accent_insensitive():
    assert ids(search(corpus(), "KREUZENTROPIE fur")) == ["entropie"]
    assert ids(search(corpus(), "für")) == ["entropie"]
    assert ids(search(corpus(), "verluste")) == ["entropie"]


def test_topics_and_bank_filter():
    assert ids(search(corpus(), "losses")) == ["ce-derivation", "mse-grad"]  # a tie keeps bank order
    assert ids(search(corpus(), "cross entropy", bank="l2")) == ["dropout-scale"]
    assert search(corpus(), "   ") == [] and search(corpus(), "$$") == []


def test_phrase_ranks_higher_than_scattered_words():
    hits = search(corpus(), "cross entropy")
    assert hits[0].question.id == "ce-derivation" and "title" in hits[0].fields
    assert hits[0].score > hits[1].score > 0


def test_deep_links():
    assert deep_link("mse-grad") == "practice?q=mse-grad"
    assert deep_link("a b/c") == "practice?q=a%20b%2Fc"
    assert search(corpus(), "mse")[0].link == "practice?q=mse-grad"
