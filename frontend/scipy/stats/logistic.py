"""The logistic distribution (jax.scipy.stats.logistic)."""
from ... import numpy as jnp
from .. import special
from ._common import exp_of, promote


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote("logistic.logpdf", x, loc, scale)
    half = (x - loc) / scale / 2.0
    return -2.0 * jnp.logaddexp(half, -half) - jnp.log(scale)


def cdf(x, loc=0, scale=1):
    x, loc, scale = promote("logistic.cdf", x, loc, scale)
    return special.expit((x - loc) / scale)


def sf(x, loc=0, scale=1):
    x, loc, scale = promote("logistic.sf", x, loc, scale)
    return special.expit(-((x - loc) / scale))


def ppf(x, loc=0, scale=1):
    x, loc, scale = promote("logistic.ppf", x, loc, scale)
    return special.logit(x) * scale + loc


def isf(x, loc=0, scale=1):
    x, loc, scale = promote("logistic.isf", x, loc, scale)
    return -special.logit(x) * scale + loc


pdf = exp_of(logpdf, "pdf")
