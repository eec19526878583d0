"""SMS at full scale: what the issuer's cost estimate costs, and the part counter.

    python bench/sms.py [--runs N] [--json out.json]

Reads the seeded bench database (var/bench/full.sqlite3, or DAPTAR_DATABASE_URL)
and writes nothing: the estimate is the compose page's (`compose_sms_estimate`),
which counts the acting office bearers with a phone in every recipient unit, the
same query the draft page and the API's sms-estimate run. Three targets: the
whole country from the centre, one division, one district.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from harness import fmt, median_ms, save, setup_django

GOAL = {"estimate (whole country)": "under 1 s", "count_parts": "under 20 µs a text"}
TITLE = "সকল ইউনিটে সদস্য সংগ্রহ অভিযান ও কমিটির তালিকা হালনাগাদ করে পাঠান"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    setup_django()

    from daptar.directives.queries import compose_sms_estimate
    from daptar.lib.sms import count_parts
    from daptar.units.models import Unit

    root = Unit.objects.get(parent__isnull=True)
    division = Unit.objects.filter(parent=root).order_by("path").first()
    district = Unit.objects.filter(parent=division).order_by("path").first()
    assert division is not None and district is not None, "seed the bench database first"
    results: dict[str, Any] = {}
    print(f"{'estimate':<34}{'units':>9}{'people':>9}{'parts':>9}{'taka':>11}{'median ms':>11}")
    for name, target in (
        ("whole country", root),
        ("a division", division),
        ("a district", district),
    ):
        units = Unit.objects.subtree(target).count()
        estimate = compose_sms_estimate(root, target, [], TITLE)
        ms = median_ms(lambda t=target: compose_sms_estimate(root, t, [], TITLE), args.runs)
        results[f"estimate ({name})"] = {
            "units": units,
            "people": estimate.people,
            "parts": estimate.parts_total,
            "cost": str(estimate.cost),
            "median_ms": round(ms, 1),
        }
        print(
            f"{'estimate (' + name + ')':<34}{units:>9,}{estimate.people:>9,}"
            f"{estimate.parts_total:>9,}{estimate.cost:>11}{fmt(ms):>11}"
        )

    texts = [f"{TITLE} {n}" for n in range(20000)] + [f"Directive {n}: meet" for n in range(20000)]
    started = time.perf_counter()
    for text in texts:
        count_parts(text)
    per_text_us = (time.perf_counter() - started) / len(texts) * 1e6
    results["count_parts"] = {"texts": len(texts), "us_per_text": round(per_text_us, 2)}
    print(f"count_parts: {len(texts):,} texts, {fmt(per_text_us, 2)} µs a text")
    print("goals: " + "; ".join(f"{k} {v}" for k, v in GOAL.items()))
    save(args.json, results)


if __name__ == "__main__":
    main()
