"""How the benchmarks sum up a run of timings, one way, so their figures compare."""


def nearest_rank_ms(samples: list[float]) -> dict[str, float]:
    """p50, p99 (nearest rank), max and mean of `samples` seconds, in milliseconds."""
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000

    return {
        "p50_ms": round(rank(0.50), 2),
        "p99_ms": round(rank(0.99), 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(sum(ordered) / len(ordered) * 1000, 2),
    }
