"""LaTeX students type → plain syntax, and the unknown commands we refuse."""
import pytest

from quizlib.answers.latex import LatexError, latex_to_plain
from quizlib.answers.parser import Grammar, parse
from quizlib.answers.registry import expr_functions

G = Grammar(("x", "y", "z", "p", "lam", "W1", "o", "g"), expr_functions())


@pytest.mark.parametrize("latex, plain", [
    (r"\frac{1}{1-p}", "((1)/(1-p))"),
    (r"\frac12", "((1)/(2))"),
    (r"\sqrt{x}", "sqrt(x)"),
    (r"\cdot", "*"),
    (r"\lambda", "lambda"),
    (r"W_1", "W1"),
    (r"W_{1}", "W1"),
    (r"W^\top", "W^T"),
    (r"W^{T}", "W^T"),
    (r"\left(x\right)", "(x)"),
    (r"e^{-x}", "e^(-x)"),
])
def test_translation(latex, plain):
    assert latex_to_plain(latex).replace(" ", "") == plain.replace(" ", "")


@pytest.mark.parametrize("latex, same_as", [
    (r"\frac{1}{1-p}", "1/(1-p)"),
    (r"\sqrt[3]{x}", "x^(1/3)"),
    (r"\sigma(z)\left(1-\sigma(z)\right)", "sigma(z)*(1-sigma(z))"),
    (r"2 \cdot (o - g)", "2*(o-g)"),
    (r"x \times y", "x*y"),
    (r"e^{-\lambda x}", "e^(-lam*x)"),
    (r"\ln x", "log(x)"),
    (r"\exp(x)", "exp(x)"),
    (r"\tanh(z)", "tanh(z)"),
    (r"\mathrm{relu}(x)", "relu(x)"),
    (r"\operatorname{sigma}(z)", "sigma(z)"),
    (r"\dfrac{x}{y}", "x/y"),
])
def test_latex_reads_like_plain(latex, same_as):
    assert parse(latex, G) == parse(same_as, G)


@pytest.mark.parametrize("bad", [r"\import{os}", r"\frac{1}{", "{x", "x}", r"\infty", r"\frac", r"_x",
                                 "a_{}"])
def test_refused(bad):
    with pytest.raises(LatexError):
        latex_to_plain(bad)
