"""The enclave as a contract (the Lingang–Kunming model reported by Yunnan Daily 2024).

An enclave park is co-built: the western state investment company (heavy
asset) buys land and builds from the county budget; the eastern park group
(light asset) brings brand, management and people in a joint operating company,
co-invests, and refers its firms. What the partner puts in responds to what it
expects to get: the promised tax share times the compliance it expects, which
it learns from what is actually paid. So a higher share buys more effort and
firms, at the cost of western revenue per firm, and unpaid promises are not the
same as a lower share: the partner keeps working until it learns.
"""

from __future__ import annotations

import numpy as np


def partner_effort(tax_share_east: float, expected_compliance: np.ndarray,
                   half: float) -> np.ndarray:
    """Partner's effort (0–1): expected share ``s × c`` over ``s × c + half``."""
    x = tax_share_east * np.asarray(expected_compliance, float)
    return x / (x + half)


def learn_compliance(expected: np.ndarray, actual: float, learning_per_year: float,
                     dt: float) -> np.ndarray:
    """Expected compliance (share) after ``dt`` years of watching ``actual`` payments."""
    step = 1.0 - np.exp(-learning_per_year * dt)
    return expected + step * (actual - expected)


def operator_divisor(effort: np.ndarray, operator_efficiency: float) -> np.ndarray:
    """Divisor of tenants' friction cost in a partner-run park (≥ 1): the operator's one effect."""
    return 1.0 + (operator_efficiency - 1.0) * effort
