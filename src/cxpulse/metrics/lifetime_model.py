"""BG/NBD and Gamma-Gamma models fitted with pymc-marketing, and their posterior draws.

pymc-marketing (PyMC Labs) is the maintained successor of ``lifetimes`` (unmaintained since
2020): the same models (Fader, Hardie and Lee 2005; Fader and Hardie 2013) written in PyMC,
so a fit gives a posterior and every prediction comes with its uncertainty. The posterior is
sampled with NUTS; the value of a prediction is its posterior mean and its interval the
equal-tailed credible interval of the draws. That interval covers the uncertainty of the
model's parameters (the expected value of each customer), not the randomness of what one
customer will actually buy, nor what the model leaves out (seasonality, promotions).

Time is in days. Priors: flat on the BG/NBD purchase-rate parameters ``r`` and ``alpha``
(the library's defaults are scaled for weeks and would pull ``alpha``, which is about 50-70
days on retail data, towards 10) and the library's defaults elsewhere (dropout
``phi ~ Uniform(0, 1)``, ``kappa ~ Pareto(1, 1)``; flat Gamma-Gamma ``p``, ``q``, ``v``).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxpulse.errors import NotEnoughDataError

MONTH_DAYS = 365.25 / 12
MIN_CUSTOMERS = 20
MIN_REPEAT = 5
METHOD = "bg/nbd + gamma-gamma, pymc-marketing nuts posterior"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Keep PyMC's progress logs and PyTensor's BLAS advice out of the user's terminal."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pymc  # noqa: F401  (importing pymc sets its logger to INFO: import it first)
    names = ("pymc", "pytensor", "pymc_marketing")
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings: ``chains`` x ``draws`` posterior draws after ``tune`` warm-up steps.

    >>> SamplerSettings(draws=200, tune=200).kwargs()["chains"]
    2
    """

    draws: int = 500
    tune: int = 500
    chains: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        from cxpulse.metrics.errors import MetricQueryError

        for value in (self.draws, self.tune):
            if not isinstance(value, int) or not 50 <= value <= 10_000:
                raise MetricQueryError(key="metrics.clv.error.draws", values={"value": value})

    def kwargs(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "tune": self.tune,
            "chains": self.chains,
            "cores": 1,  # one process: the CLI and the app must not fork a pool per request
            "random_seed": self.seed,
            "progressbar": False,
            "compute_convergence_checks": False,
        }


class LifetimeModels:
    """The fitted BG/NBD (purchases, dropout) and Gamma-Gamma (spend) models.

    ``fit`` returns self; learned attributes end in ``_``: ``purchases_model_``,
    ``spend_model_``, ``parameters_`` (posterior mean and sd of each parameter) and
    ``r_hat_`` (the largest split R-hat of all parameters: above about 1.01, more draws).
    """

    def __init__(self, sampler: SamplerSettings | None = None) -> None:
        self.sampler = sampler or SamplerSettings()

    def fit(self, summary: Any) -> LifetimeModels:
        """Fit both models on a :func:`purchase_summary` frame."""
        import pandas as pd

        n = len(summary)
        repeat = int((summary.frequency > 0).sum())
        spenders = int((summary.spend_days > 0).sum())
        if n < MIN_CUSTOMERS or repeat < MIN_REPEAT or spenders < MIN_REPEAT:
            raise NotEnoughDataError(
                key="metrics.clv.error.few",
                values={
                    "n": n,
                    "repeat": repeat,
                    "spenders": spenders,
                    "min_n": MIN_CUSTOMERS,
                    "min_repeat": MIN_REPEAT,
                },
            )
        ids = np.arange(n)
        self.purchase_data_ = pd.DataFrame(
            {
                "customer_id": ids,
                "frequency": summary.frequency.to_numpy(float),
                "recency": summary.recency.to_numpy(float),
                "T": summary["T"].to_numpy(float),
            }
        )
        self.spend_data_ = pd.DataFrame(
            {
                "customer_id": ids,
                "frequency": summary.spend_days.to_numpy(float),
                "monetary_value": summary.monetary_value.fillna(0.0).to_numpy(float),
            }
        )
        with quiet():
            from pymc_extras.prior import Prior
            from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

            bg = BetaGeoModel(
                model_config={
                    "r": Prior("HalfFlat"),
                    "alpha": Prior("HalfFlat"),
                    "phi_dropout": Prior("Uniform", lower=0, upper=1),
                    "kappa_dropout": Prior("Pareto", alpha=1, m=1),
                }
            )
            settings = self.sampler.kwargs()
            bg.fit(data=self.purchase_data_, method="mcmc", **settings)
            spenders_frame = self.spend_data_[self.spend_data_.frequency > 0]
            gg = GammaGammaModel()
            gg.fit(data=spenders_frame.reset_index(drop=True), method="mcmc", **settings)
        self.purchases_model_ = bg
        self.spend_model_ = gg
        self.parameters_ = {
            **_posterior_moments(bg.idata, ("r", "alpha", "a", "b")),
            **_posterior_moments(gg.idata, ("p", "q", "v")),
        }
        self.r_hat_ = max(_r_hat(bg.idata), _r_hat(gg.idata))
        return self

    # -- posterior draws, shape (draws, customers) ----------------------------------------
    def purchases(self, days: float) -> np.ndarray:
        """Expected purchase days of each customer in the next ``days`` days."""
        with quiet():
            x = self.purchases_model_.expected_purchases(self.purchase_data_, future_t=days)
        return _draws(x)

    def spend(self) -> np.ndarray:
        """Expected value of each customer's future purchase days (Gamma-Gamma)."""
        with quiet():
            x = self.spend_model_.expected_customer_spend(self.spend_data_)
        return _draws(x)

    def probability_alive(self) -> np.ndarray:
        """Probability that each customer is still active at the end of the observed period."""
        with quiet():
            x = self.purchases_model_.expected_probability_alive(self.purchase_data_)
        return _draws(x)

    def lifetime_value(self, months: int, discount_rate: float) -> tuple[np.ndarray, np.ndarray]:
        """(value, purchases) draws over ``months``, discounted ``discount_rate`` a month.

        The purchases expected in each month are valued at the customer's expected spend and
        discounted at the end of that month; without a discount this is spend x purchases.
        """
        spend = self.spend()
        steps = [months] if discount_rate == 0 else list(range(1, months + 1))
        value = np.zeros_like(spend)
        previous = np.zeros_like(spend)
        for m in steps:
            cumulative = self.purchases(m * MONTH_DAYS)
            value += spend * (cumulative - previous) / (1.0 + discount_rate) ** m
            previous = cumulative
        return value, previous


_FITTED: dict[tuple[str, SamplerSettings], LifetimeModels] = {}
CACHE_SIZE = 4


def fitted_models(summary: Any, sampler: SamplerSettings | None = None) -> LifetimeModels:
    """The models fitted on ``summary``, reused while the inputs and settings are the same
    (a fit takes seconds to a minute; the app and a notebook ask again and again)."""
    import hashlib

    import pandas as pd

    settings = sampler or SamplerSettings()
    columns = ["account_id", "frequency", "recency", "T", "spend_days", "monetary_value"]
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(summary[columns], index=False).to_numpy().tobytes()
    ).hexdigest()
    key = (digest, settings)
    if key not in _FITTED:
        if len(_FITTED) >= CACHE_SIZE:
            _FITTED.pop(next(iter(_FITTED)))
        _FITTED[key] = LifetimeModels(settings).fit(summary)
    return _FITTED[key]


def _draws(x: Any) -> np.ndarray:
    """An xarray of (chain, draw, customer_id) as a (draws, customers) array."""
    x = x.transpose("chain", "draw", "customer_id")
    values = np.asarray(x.values, dtype=float)
    return values.reshape(-1, values.shape[-1])


def _posterior_moments(idata: Any, names: tuple[str, ...]) -> dict[str, dict[str, float]]:
    post = idata.posterior
    return {
        n: {"mean": float(post[n].mean()), "sd": float(post[n].std())} for n in names if n in post
    }


def _r_hat(idata: Any) -> float:
    import arviz as az

    if idata.posterior.sizes.get("chain", 1) < 2:
        return float("nan")
    with quiet():
        values = az.rhat(idata)
    return float(max(float(values[v].max()) for v in values.data_vars))


def interval(draws: np.ndarray, confidence: float, axis: int = 0) -> tuple[Any, Any]:
    """Equal-tailed credible interval of posterior draws."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail], axis=axis)
    return low, high
