"""Where the errors are: false merges and missed links on the synthetic data, by hard-case type.

Approximate by design. Categories come from the truth (person and household ids), the generator's
hard-case tags (``generate_tagged``: person tags such as twin, junior, same_name_stranger, split, moved;
record tags such as nickname, typo, dob_swap, stale_address) and the flattened records (dob, names,
current address). A pair of records can fall in several categories; every category it fits is counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import combinations
from typing import Any

GIANT = 1500  # predicted clusters bigger than this are reported, not enumerated pair by pair

# tag -> category for missed links (the same person's records kept apart)
_MISS_TAGS = {
    "nickname": "nickname / spelling variant",
    "typo": "name typo",
    "surname_change": "surname change (child known by another surname)",
    "surname_change_child": "surname change (child known by another surname)",
    "former_surname": "maiden / former surname",
    "hyphen_variant": "double-barrelled surname variant",
    "hyphenated": "double-barrelled surname variant",
    "diacritics_dropped": "diacritics dropped",
    "alias": "police alias",
    "dob_swap": "dob day/month swapped",
    "dob_off_by_one": "dob off by one",
    "dob_placeholder": "dob placeholder (1900-01-01)",
    "dob_partial": "dob partial",
    "dob_missing": "dob missing (e.g. school contact)",
    "stale_address": "moved: agency holds old address",
    "both_addresses": "moved: old and new address",
    "nfa": "no fixed abode / placeholder address",
    "placeholder_address": "no fixed abode / placeholder address",
    "nhs_typo": "identifier typo / temporary UPN",
    "temporary_upn": "identifier typo / temporary UPN",
    "duplicate": "health re-registration duplicate",
    "contact": "school parent/carer contact record",
    "placeholder_phone": "placeholder phone / email",
    "placeholder_email": "placeholder phone / email",
    "sex_unknown": "sex unknown",
}


def _years_apart(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    try:
        return abs(int(a[:4]) - int(b[:4])) + abs(int(a[5:7]) - int(b[5:7])) / 12
    except ValueError:
        return None


class ErrorAnalysis:
    """Built once per data set; :meth:`analyse` takes one predicted clustering."""

    def __init__(self, flat: Any, person: Mapping[str, str], household: Mapping[str, str],
                 tags: Mapping[str, tuple[str, ...]]) -> None:
        self.person, self.household, self.tags = person, household, tags
        self.rows: dict[str, dict[str, Any]] = {
            r["unique_id"]: r for r in flat[["unique_id", "given_name", "family_name", "dob", "postcode",
                                             "address_line"]].to_dict("records")}
        self.person_tags: dict[str, set[str]] = defaultdict(set)
        self.person_dob: dict[str, str] = {}
        for u, p in person.items():
            self.person_tags[p].update(tags.get(u, ()))
            dob = self.rows.get(u, {}).get("dob")
            if dob and "dob_swap" not in tags.get(u, ()) and "dob_off_by_one" not in tags.get(u, ()):
                self.person_dob.setdefault(p, dob)
        # households with records at two different current addresses
        places: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for u, h in household.items():
            row = self.rows.get(u, {})
            if row.get("postcode") and row.get("address_line"):
                places[h].add((row["postcode"], row["address_line"]))
        self.household_places = {h: len(v) for h, v in places.items()}
        self.household_tags: dict[str, set[str]] = defaultdict(set)
        for u, h in household.items():
            self.household_tags[h].update(tags.get(u, ()))

    # ------------------------------------------------------------------ people

    def _merge_categories(self, a: str, b: str) -> list[str]:
        pa, pb = self.person[a], self.person[b]
        ta, tb = self.person_tags[pa], self.person_tags[pb]
        ra, rb = self.rows.get(a, {}), self.rows.get(b, {})
        same_home = self.household[a] == self.household[b]
        same_name = bool(ra.get("given_name")) and (ra.get("given_name"), ra.get("family_name")) == (
            rb.get("given_name"), rb.get("family_name"))
        gap = _years_apart(self.person_dob.get(pa), self.person_dob.get(pb))
        out: list[str] = []
        if same_home:
            if "twin" in ta and "twin" in tb and (gap is None or gap < 0.1):
                out.append("twins")
            elif "junior" in ta and "junior" in tb:
                out.append("junior (father/son same name)")
            elif gap is not None and gap > 15:
                out.append("parent-child (or other generations)")
            elif gap is not None:
                out.append("siblings / partners (same household, dob < 15y apart)")
            else:
                out.append("same household, a dob missing (e.g. school contact)")
            if same_name and not out[0].startswith(("twins", "junior")):
                out.append("same name, same household")
        else:
            if same_name or ("same_name_stranger" in ta and "same_name_stranger" in tb):
                out.append("same-name strangers (different households)")
            if "split" in ta and "split" in tb:
                out.append("split family (members now in two households)")
            if not out:
                out.append("different households, other")
        return out

    def _cluster_cause(self, members: list[str]) -> str:
        """The likeliest hard case behind one falsely merged cluster (first that applies)."""
        persons = sorted({self.person[u] for u in members})
        homes = {self.household[u] for u in members}
        names: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for u in members:
            row = self.rows.get(u, {})
            if row.get("given_name") and row.get("family_name"):
                names[self.person[u]].add((row["given_name"], row["family_name"]))

        def pairs_with(tag: str) -> bool:
            tagged = [p for p in persons if tag in self.person_tags[p]]
            return len(tagged) >= 2

        if len(homes) == 1 and pairs_with("twin"):
            return "twins"
        if len(homes) == 1 and pairs_with("junior"):
            return "junior (father/son same name)"
        shared_name = any(names[a] & names[b] for a, b in combinations(persons, 2))
        if len(homes) > 1:
            return "same-name strangers" if shared_name else "people from different households"
        if shared_name:
            return "same name, same household (not twin/junior)"
        gaps = [g for a, b in combinations(persons, 2)
                if (g := _years_apart(self.person_dob.get(a), self.person_dob.get(b))) is not None]
        if gaps and max(gaps) > 15:
            return "parent-child / generations, same household"
        if gaps:
            return "siblings / partners, same household"
        return "same household, dob unknown"

    def _miss_categories(self, a: str, b: str) -> list[str]:
        found = {_MISS_TAGS[t] for t in (*self.tags.get(a, ()), *self.tags.get(b, ())) if t in _MISS_TAGS}
        ra, rb = self.rows.get(a, {}), self.rows.get(b, {})
        if (ra.get("postcode"), ra.get("address_line")) != (rb.get("postcode"), rb.get("address_line")):
            found.add("different current address on the two records")
        return sorted(found) or ["none of the tagged hard cases"]

    def analyse(self, predicted: Mapping[str, str], predicted_household: Mapping[str, str] | None = None
                ) -> dict[str, Any]:
        items = [u for u in predicted if u in self.person]
        clusters: dict[str, list[str]] = defaultdict(list)
        for u in items:
            clusters[predicted[u]].append(u)
        merges: Counter[str] = Counter()
        causes: Counter[str] = Counter()
        merge_pairs = 0
        giants = []
        for members in clusters.values():
            if len({self.person[u] for u in members}) < 2:
                continue
            causes[self._cluster_cause(members)] += 1
            if len(members) > GIANT:
                giants.append(len(members))
                continue
            for a, b in combinations(members, 2):
                if self.person[a] != self.person[b]:
                    merge_pairs += 1
                    merges.update(self._merge_categories(a, b))
        truth_clusters: dict[str, list[str]] = defaultdict(list)
        for u in items:
            truth_clusters[self.person[u]].append(u)
        misses: Counter[str] = Counter()
        miss_pairs = 0
        for members in truth_clusters.values():
            for a, b in combinations(members, 2):
                if predicted[a] != predicted[b]:
                    miss_pairs += 1
                    misses.update(self._miss_categories(a, b))
        out: dict[str, Any] = {
            "false_merge_pairs": merge_pairs, "false_merge_by_category": dict(merges.most_common()),
            "falsely_merged_clusters": sum(causes.values()), "merged_clusters_by_cause": dict(causes.most_common()),
            "missed_pairs": miss_pairs, "missed_by_category": dict(misses.most_common()),
            "giant_clusters_not_enumerated": giants,
        }
        if predicted_household is not None:
            out["households"] = self._households(predicted_household)
        return out

    # ------------------------------------------------------------------ households

    def _households(self, predicted: Mapping[str, str]) -> dict[str, Any]:
        """Truth households split over several predicted ones, and predicted ones joining several true ones."""
        items = [u for u in predicted if u in self.household]
        split: Counter[str] = Counter()
        joined: Counter[str] = Counter()
        by_truth: dict[str, set[str]] = defaultdict(set)
        by_pred: dict[str, set[str]] = defaultdict(set)
        for u in items:
            by_truth[self.household[u]].add(predicted[u])
            by_pred[predicted[u]].add(self.household[u])
        n_split = n_joined = 0
        for h, preds in by_truth.items():
            if len(preds) < 2:
                continue
            n_split += 1
            tags = self.household_tags[h]
            cats = []
            if self.household_places.get(h, 0) > 1:
                cats.append("moved household (records at two current addresses)")
            if "split" in tags:
                cats.append("split family")
            if "contact" in tags:
                cats.append("has school contact records")
            if {"nfa", "placeholder_address"} & tags:
                cats.append("placeholder address")
            split.update(cats or ["other"])
        for _p, truths in by_pred.items():
            if len(truths) < 2:
                continue
            n_joined += 1
            tags = set().union(*(self.household_tags[h] for h in truths))
            cats = []
            if "split" in tags:
                cats.append("split family (both halves joined)")
            if {"nfa", "placeholder_address"} & tags:
                cats.append("placeholder address")
            cats.append(f"{min(len(truths), 5)}{'+' if len(truths) >= 5 else ''} true households joined")
            joined.update(cats)
        return {"true_households_split": n_split, "split_by_category": dict(split.most_common()),
                "predicted_households_joining_several": n_joined, "joined_by_category": dict(joined.most_common())}


def format_errors(name: str, result: Mapping[str, Any]) -> str:
    lines = [f"  {name}: false-merge pairs {result['false_merge_pairs']}, missed pairs {result['missed_pairs']}"]
    if result.get("giant_clusters_not_enumerated"):
        lines.append(f"    giant clusters (not enumerated): sizes {result['giant_clusters_not_enumerated']}")
    lines.append(f"    falsely merged clusters ({result['falsely_merged_clusters']}) by likeliest cause:")
    lines += [f"      {v:>7}  {k}" for k, v in result["merged_clusters_by_cause"].items()] or ["      -"]
    lines.append("    false-merge pairs by category:")
    lines += [f"      {v:>7}  {k}" for k, v in result["false_merge_by_category"].items()] or ["      -"]
    lines.append("    missed links by category (a pair may count in several):")
    lines += [f"      {v:>7}  {k}" for k, v in result["missed_by_category"].items()] or ["      -"]
    hh = result.get("households")
    if hh:
        lines.append(f"    households: {hh['true_households_split']} true households split, "
                     f"{hh['predicted_households_joining_several']} predicted households join several")
        lines += [f"      split  {v:>6}  {k}" for k, v in hh["split_by_category"].items()]
        lines += [f"      joined {v:>6}  {k}" for k, v in hh["joined_by_category"].items()]
    return "\n".join(lines)
