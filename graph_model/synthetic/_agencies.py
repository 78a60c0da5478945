"""Each agency's records of a unit of households: who it knows, what it holds, and how it gets it wrong.

Records come out as canonical dicts (see ``generator``) with the truth (source, source_id,
person_id, household_id), the hard cases applied to that record (tags, for tests and error
analysis) and, for housing, the extra columns of the housing system's CSV export.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from graph_model.synthetic import rates as R
from graph_model.synthetic._identifiers import Permutation, nhs_is_valid, pnc_check_letter, upn_check_letter
from graph_model.synthetic._reference import Reference
from graph_model.synthetic._world import REF_ORD, Address, Household, Person, _ascii, gendered

Item = tuple[dict[str, Any], tuple[str, str, str, str], tuple[str, ...], dict[str, str] | None]

_REF = R.REFERENCE_DATE
_SHARE_WITH_CHILDREN = 0.54  # of all households, measured on the generated world
_EARLIEST_RECORD = date(2012, 1, 1).toordinal()
_ABBREVIATIONS = {
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Drive": "Dr",
    "Crescent": "Cres",
    "Terrace": "Terr",
    "Close": "Cl",
    "Grove": "Gr",
    "Lane": "Ln",
    "Gardens": "Gdns",
    "Square": "Sq",
    "Place": "Pl",
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TEMP_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_HOUSING_REL = {
    "Joint tenant": "partner_of",
    "Partner": "partner_of",
    "Husband": "partner_of",
    "Wife": "partner_of",
    "Son": "child_of",
    "Daughter": "child_of",
    "Mother": "parent_of",
    "Father": "parent_of",
    "Brother": "sibling_of",
    "Sister": "sibling_of",
}


def _iso(ordinal: int | None) -> str | None:
    return None if ordinal is None else date.fromordinal(ordinal).isoformat()


def _record(
    source: str,
    sid: str,
    given: str | None,
    middle: str | None,
    family: str | None,
    dob: str | None,
    sex: str | None,
    addresses: list[dict[str, Any]],
    phones: list[str],
    emails: list[str],
    identifiers: dict[str, str],
    school: dict[str, str] | None,
    relationships: list[dict[str, str]],
    recorded_at: str,
) -> dict[str, Any]:
    return {
        "source": source,
        "source_id": sid,
        "given_name": given,
        "middle_names": middle,
        "family_name": family,
        "dob": dob,
        "sex": sex,
        "addresses": addresses,
        "phones": phones,
        "emails": emails,
        "identifiers": identifiers,
        "school": school,
        "relationships": relationships,
        "recorded_at": recorded_at,
    }


class Agencies:
    """Turns units of households into agency records, with one random stream shared with the world."""

    def __init__(self, rng: Random, ref: Reference) -> None:
        self.rng = rng
        self.ref = ref
        self._ids = {
            name: Permutation(7, rng.randrange(10**7))
            for name in ("health", "pupil", "contact", "social_care", "housing")
        }
        self._ids["police"] = Permutation(6, rng.randrange(10**6))
        self._n = dict.fromkeys(self._ids, 0)
        self._pnc = Permutation(7, rng.randrange(10**7))
        self._pnc_n = 0

    def _next_id(self, kind: str) -> str:
        n = self._n[kind]
        self._n[kind] = n + 1
        number = self._ids[kind](n)
        prefix = {
            "health": "EMIS-",
            "pupil": "SIMS-P",
            "contact": "SIMS-C",
            "social_care": "LCS-",
            "police": "NOM-",
            "housing": "TEN-",
        }[kind]
        return prefix + number

    # --- the pieces of a record, each with its errors ---------------------------------------

    def _typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 3:
            return text + _LETTERS[rng.randrange(26)]
        for _ in range(10):
            i = rng.randrange(1, len(text))  # the first letter is rarely the one mistyped
            op = rng.randrange(4)
            c = _LETTERS[rng.randrange(26)]
            if op == 0:
                out = text[:i] + c + text[i:]
            elif op == 1:
                out = text[:i] + text[i + 1 :]
            elif op == 2:
                out = text[:i] + c + text[i + 1 :]
            elif i < len(text) - 1:
                out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
            else:
                out = text[: i - 1] + text[i] + text[i - 1]
            if out != text and out.lower() != text.lower():
                return out
        return text + "e"

    def _names(
        self, p: Person, source: str, tags: list[str], *, middle_rate: float, upper: bool = False
    ) -> tuple[str, str | None, str]:
        rng = self.rng
        given = p.given
        aliases = self.ref.nicknames.get(given)
        if aliases and rng.random() < R.NICKNAME_RATE:
            given = aliases[rng.randrange(len(aliases))]
            tags.append("nickname")
        family = p.family
        if p.alt_family and source in p.alt_sources:
            family = p.alt_family
            tags.append("surname_change")
        elif p.former_family and rng.random() < R.MAIDEN_NAME_RATE:
            family = p.former_family
            tags.append("former_surname")
        elif p.hyphenated and "-" in family and rng.random() < R.HYPHEN_VARIANT_RATE:
            first, _, second = family.partition("-")
            r = rng.random()
            family = first if r < 0.5 else second if r < 0.7 else f"{first} {second}"
            tags.append("hyphen_variant")
        if rng.random() < R.NAME_TYPO_RATE:
            if rng.random() < 0.55:
                given = self._typo(given)
            else:
                family = self._typo(family)
            tags.append("typo")
        if not (given.isascii() and family.isascii()) and rng.random() < R.DIACRITICS_DROP_RATE:
            given, family = _ascii(given), _ascii(family)
            tags.append("diacritics_dropped")
        if upper and rng.random() < R.UPPERCASE_SURNAME_RATE:
            family = family.upper()
        middle = " ".join(p.middle) if p.middle and rng.random() < middle_rate else None
        return given, middle, family

    def _dob(self, p: Person, tags: list[str], *, partial: bool = False) -> str:
        rng = self.rng
        if rng.random() < R.PLACEHOLDER_DOB_RATE:
            tags.append("dob_placeholder")
            return "1900-01-01"
        d = p.dob
        if d.day <= 12 and d.day != d.month and rng.random() < R.DOB_SWAP_RATE:
            swapped = date(d.year, d.day, d.month)
            if swapped < _REF:
                d = swapped
                tags.append("dob_swap")
        elif rng.random() < R.DOB_OFF_BY_ONE_RATE:
            if rng.random() < 0.5:
                shifted = d + timedelta(days=1 if rng.random() < 0.5 else -1)
            else:
                year = d.year + (1 if rng.random() < 0.5 else -1)
                shifted = date(year, d.month, 28 if (d.month, d.day) == (2, 29) else d.day)
            if shifted < _REF:
                d = shifted
                tags.append("dob_off_by_one")
        if partial and rng.random() < R.PARTIAL_DOB_RATE:
            tags.append("dob_partial")
            return f"{d.year}-{d.month:02d}" if rng.random() < 0.5 else str(d.year)
        return d.isoformat()

    def _sex(self, p: Person, tags: list[str]) -> str | None:
        if self.rng.random() < R.SEX_UNKNOWN_RATE:
            tags.append("sex_unknown")
            return "U" if self.rng.random() < 0.5 else None
        return p.sex

    def _render(
        self, a: Address, tags: list[str], *, split_flat: bool, frm: int | None = None, to: int | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        street = a.street
        if rng.random() < R.ADDRESS_ABBREVIATION_RATE:
            head, _, last = street.rpartition(" ")
            if head and last in _ABBREVIATIONS:
                street = f"{head} {_ABBREVIATIONS[last]}"
                tags.append("address_abbreviation")
        building = f"{a.number} {street}"
        locality = a.locality if rng.random() < 0.5 else None
        if a.flat is None:
            line1, line2 = building, locality
        elif split_flat:
            line1, line2 = f"Flat {a.flat}", building
        else:
            line1, line2 = f"Flat {a.flat}, {building}", locality
        postcode = a.postcode
        if rng.random() < R.POSTCODE_FORMAT_RATE:
            r = rng.random()
            postcode = (
                postcode.lower()
                if r < 0.4
                else postcode.replace(" ", "")
                if r < 0.8
                else postcode.replace(" ", "").lower()
            )
            tags.append("postcode_format")
        return {
            "line1": line1,
            "line2": line2,
            "town": a.town.name,
            "postcode": postcode,
            "from": _iso(frm),
            "to": _iso(to),
        }

    def _addresses(
        self, p: Person, tags: list[str], *, split_flat: bool, dated: bool
    ) -> tuple[list[dict[str, Any]], int, int]:
        """The person's address(es) as this agency holds them, and the window the record was written in."""
        lo = max(p.dob.toordinal(), _EARLIEST_RECORD)
        hi = REF_ORD - 1
        moved = p.moved_ord
        if p.prev_address is None or moved is None:
            return [self._render(p.address, tags, split_flat=split_flat)], lo, hi
        r = self.rng.random()
        if r < R.STALE_ADDRESS_RATE:
            tags.append("stale_address")
            return [self._render(p.prev_address, tags, split_flat=split_flat)], lo, max(lo, moved - 1)
        if r < R.STALE_ADDRESS_RATE + R.BOTH_ADDRESSES_RATE:
            tags.append("both_addresses")
            return (
                [
                    self._render(p.prev_address, tags, split_flat=split_flat, to=moved - 1),
                    self._render(p.address, tags, split_flat=split_flat, frm=moved),
                ],
                max(lo, moved),
                hi,
            )
        return (
            [self._render(p.address, tags, split_flat=split_flat, frm=moved if dated else None)],
            max(lo, moved),
            hi,
        )

    def _placeholder_address(self, p: Person, tags: list[str], which: str) -> list[dict[str, Any]]:
        town = p.address.town
        if which == "nfa":
            tags.append("nfa")
            line1 = "No Fixed Abode" if self.rng.random() < 0.7 else "NFA"
            return [
                {
                    "line1": line1,
                    "line2": None,
                    "town": town.name if self.rng.random() < 0.5 else None,
                    "postcode": None,
                    "from": None,
                    "to": None,
                }
            ]
        tags.append("placeholder_address")
        line1, line2, postcode = town.police_station if which == "police" else town.council_office
        return [
            {
                "line1": line1,
                "line2": line2,
                "town": town.name,
                "postcode": postcode,
                "from": None,
                "to": None,
            }
        ]

    def _mobile(self, digits: str) -> str:
        r = self.rng.random()
        a, b = digits[:5], digits[5:]
        if r < 0.45:
            return f"{a} {b}"
        if r < 0.70:
            return digits
        if r < 0.85:
            return f"+44 {a[1:]} {b}"
        if r < 0.90:
            return "+44" + digits[1:]
        if r < 0.95:
            return f"{a} {b[:3]} {b[3:]}"
        return f"({a}) {b}"

    def _landline(self, number: tuple[str, str]) -> str:
        area, local = number
        spaced = f"{local[:3]} {local[3:]}" if len(local) == 7 else local
        r = self.rng.random()
        if r < 0.55:
            return f"{area} {spaced}"
        if r < 0.75:
            return area + local
        if r < 0.85:
            return f"({area}) {spaced}"
        if r < 0.95:
            return f"+44 {area[1:]} {spaced}"
        return spaced  # local number only, as people give it

    def _phones(self, p: Person, tags: list[str], *, mobile: float, landline: float) -> list[str]:
        rng = self.rng
        out = []
        if p.mobile and rng.random() < mobile:
            out.append(self._mobile(p.mobile))
        if p.household.landline and rng.random() < landline:
            out.append(self._landline(p.household.landline))
        if out and rng.random() < R.PLACEHOLDER_PHONE_RATE:
            out[0] = "07000 000000" if rng.random() < 0.7 else "00000 000000"
            tags.append("placeholder_phone")
        return out

    def _emails(self, p: Person, tags: list[str], rate: float) -> list[str]:
        rng = self.rng
        if not p.email or rng.random() >= rate:
            return []
        if rng.random() < R.PLACEHOLDER_EMAIL_RATE:
            tags.append("placeholder_email")
            return ["noemail@example.com"]
        return [p.email.capitalize() if rng.random() < 0.1 else p.email]

    def _nhs(self, p: Person, tags: list[str], rate: float) -> str | None:
        rng = self.rng
        if not p.nhs or rng.random() >= rate:
            return None
        number = p.nhs
        if rng.random() < R.NHS_TYPO_RATE:
            number = self._mistype_nhs(number)
            tags.append("nhs_typo")
        r = rng.random()
        if r < 0.25:
            return f"{number[:3]} {number[3:6]} {number[6:]}"
        if r < 0.30:
            return f"{number[:3]}-{number[3:6]}-{number[6:]}"
        return number

    def _mistype_nhs(self, number: str) -> str:
        rng = self.rng
        while True:  # the 999 prefix stays: the slip is in the last seven digits
            i = rng.randrange(3, 10)
            if rng.random() < 0.5 and i < 9 and number[i] != number[i + 1]:
                out = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            else:
                out = number[:i] + str((int(number[i]) + rng.randrange(1, 10)) % 10) + number[i + 1 :]
            if not nhs_is_valid(out):
                return out

    def _stamp(self, lo: int, hi: int) -> str:
        rng = self.rng
        hi = min(hi, REF_ORD - 1)
        day = date.fromordinal(rng.randint(lo, hi) if hi > lo else hi)
        s = rng.randrange(7 * 3600, 20 * 3600)
        return f"{day.isoformat()}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"

    def _item(
        self, rec: dict[str, Any], p: Person, tags: list[str], extra: dict[str, str] | None = None
    ) -> Item:
        return rec, (rec["source"], rec["source_id"], p.pid, p.hid), (*sorted(p.tags), *tags), extra

    # --- agencies ----------------------------------------------------------------------------

    def unit_records(self, units: list[Household]) -> list[Item]:
        people = [p for hh in units for p in hh.members]
        out: list[Item] = []
        self._health(people, out)
        self._education(units, out)
        known = self._social_care(units, out)
        self._police(people, known, out)
        self._housing(units, out)
        return out

    def _health(self, people: list[Person], out: list[Item]) -> None:
        rng = self.rng
        for p in people:
            if rng.random() >= R.HEALTH_COVERAGE:
                continue
            out.append(self._health_record(p, duplicate=False))
            if rng.random() < R.HEALTH_DUPLICATE_RATE:
                out.append(self._health_record(p, duplicate=True))

    def _health_record(self, p: Person, *, duplicate: bool) -> Item:
        tags: list[str] = ["duplicate"] if duplicate else []
        given, middle, family = self._names(p, "health", tags, middle_rate=0.85)
        if duplicate and p.prev_address is not None and p.moved_ord is not None:
            # Re-registered at a new practice without the old record being merged.
            tags.append("stale_address")
            addresses = [self._render(p.prev_address, tags, split_flat=False)]
            lo, hi = max(p.dob.toordinal(), _EARLIEST_RECORD), p.moved_ord - 1
        else:
            addresses, lo, hi = self._addresses(p, tags, split_flat=False, dated=True)
        nhs = self._nhs(p, tags, 0.5 if duplicate else R.HEALTH_NHS_NUMBER_RATE)
        rec = _record(
            "health",
            self._next_id("health"),
            given,
            middle,
            family,
            self._dob(p, tags),
            self._sex(p, tags),
            addresses,
            self._phones(p, tags, mobile=0.85, landline=0.4),
            self._emails(p, tags, 0.25),
            {"nhs_number": nhs} if nhs else {},
            None,
            [],
            self._stamp(lo, max(lo, hi)),
        )
        return self._item(rec, p, tags)

    def _education(self, units: list[Household], out: list[Item]) -> None:
        rng = self.rng
        by_school: dict[str, list[tuple[Person, str]]] = {}
        for hh in units:
            for p in hh.members:
                if p.school is None:
                    continue
                tags: list[str] = []
                sid = self._next_id("pupil")
                given, middle, family = self._names(p, "education", tags, middle_rate=0.9)
                addresses, lo, hi = self._addresses(p, tags, split_flat=False, dated=False)
                upn = p.upn
                if upn and rng.random() < R.TEMPORARY_UPN_RATE:
                    upn = self._temporary_upn(upn)
                    tags.append("temporary_upn")
                rec = _record(
                    "education",
                    sid,
                    given,
                    middle,
                    family,
                    self._dob(p, tags),
                    self._sex(p, tags),
                    addresses,
                    self._phones(p, tags, mobile=0.3, landline=0.4),
                    [],
                    {"upn": upn} if upn else {},
                    {"urn": p.school.urn, "name": p.school.name},
                    [],
                    self._stamp(lo, hi),
                )
                out.append(self._item(rec, p, tags))
                by_school.setdefault(p.school.urn, []).append((p, sid))
        for pupils in by_school.values():
            carers: dict[str, tuple[Person, list[dict[str, str]]]] = {}
            for kid, kid_sid in pupils:
                links: list[tuple[Person, str]] = [
                    (q, "parent_of") for q in kid.parents() if q.school_contact
                ]
                if kid.step_parent is not None:
                    links.append((kid.step_parent, "carer_of"))
                links.extend((c, "carer_of") for c in kid.carers)
                for q, kind in links:
                    carers.setdefault(q.pid, (q, []))[1].append({"type": kind, "source_id": kid_sid})
            for q, rels in carers.values():
                out.append(self._contact_record(q, rels))

    def _temporary_upn(self, upn: str) -> str:
        # A temporary UPN ends in a letter where the permanent one ends in the serial's last digit.
        body = upn[1:12] + _TEMP_UPN_LETTERS[self.rng.randrange(len(_TEMP_UPN_LETTERS))]
        return upn_check_letter(body) + body

    def _contact_record(self, q: Person, rels: list[dict[str, str]]) -> Item:
        rng = self.rng
        tags: list[str] = ["contact"]
        given, middle, family = self._names(q, "education", tags, middle_rate=0.1)
        if rng.random() < R.CONTACT_DOB_MISSING_RATE:
            dob = None
            tags.append("dob_missing")
        else:
            dob = self._dob(q, tags)
        sex = None if rng.random() < R.CONTACT_SEX_MISSING_RATE else self._sex(q, tags)
        addresses, lo, hi = self._addresses(q, tags, split_flat=False, dated=False)
        rec = _record(
            "education",
            self._next_id("contact"),
            given,
            middle,
            family,
            dob,
            sex,
            addresses,
            self._phones(q, tags, mobile=0.95, landline=0.35),
            self._emails(q, tags, R.CONTACT_EMAIL_RATE),
            {},
            None,
            rels,
            self._stamp(lo, hi),
        )
        return self._item(rec, q, tags)

    def _social_care(self, units: list[Household], out: list[Item]) -> set[str]:
        rng = self.rng
        known: set[str] = set()
        for hh in units:
            kids = [p for p in hh.members if p.age < 18]
            if not kids or rng.random() >= R.SOCIAL_CARE_HOUSEHOLD_RATE / _SHARE_WITH_CHILDREN:
                continue
            known.add(hh.hid)
            people = list(hh.members)
            if hh.leaver is not None and rng.random() < R.SOCIAL_CARE_ABSENT_PARENT_RATE:
                people.append(hh.leaver)
            sids = {p.pid: self._next_id("social_care") for p in people}
            for p in people:
                rels: list[dict[str, str]] = []
                for kid in kids:
                    if kid is p:
                        continue
                    if p in (kid.mother, kid.father):
                        rels.append({"type": "parent_of", "source_id": sids[kid.pid]})
                    elif p is kid.step_parent or p in kid.carers:
                        rels.append({"type": "carer_of", "source_id": sids[kid.pid]})
                    elif p.age < 18 and (
                        {kid.mother, kid.father, *kid.carers} & {p.mother, p.father, *p.carers}
                    ) - {None}:
                        rels.append({"type": "sibling_of", "source_id": sids[kid.pid]})
                if p.partner is not None and p.partner.pid in sids:
                    rels.append({"type": "partner_of", "source_id": sids[p.partner.pid]})
                out.append(self._social_care_record(p, sids[p.pid], rels))
        return known

    def _social_care_record(self, p: Person, sid: str, rels: list[dict[str, str]]) -> Item:
        rng = self.rng
        tags: list[str] = []
        given, middle, family = self._names(p, "social_care", tags, middle_rate=0.7)
        if p.age >= 18 and rng.random() < R.PLACEHOLDER_ADDRESS_RATE:
            addresses = self._placeholder_address(p, tags, "council")
            lo, hi = max(p.dob.toordinal(), _EARLIEST_RECORD), REF_ORD - 1
        else:
            addresses, lo, hi = self._addresses(p, tags, split_flat=True, dated=True)
        identifiers: dict[str, str] = {}
        nhs = self._nhs(p, tags, R.SOCIAL_CARE_NHS_NUMBER_RATE)
        if nhs:
            identifiers["nhs_number"] = nhs
        if p.upn and rng.random() < R.SOCIAL_CARE_UPN_RATE:
            identifiers["upn"] = p.upn
        rec = _record(
            "social_care",
            sid,
            given,
            middle,
            family,
            self._dob(p, tags, partial=p.age >= 18),
            self._sex(p, tags),
            addresses,
            self._phones(p, tags, mobile=0.7, landline=0.3),
            self._emails(p, tags, 0.2),
            identifiers,
            None,
            rels,
            self._stamp(lo, hi),
        )
        return self._item(rec, p, tags)

    def _police(self, people: list[Person], known: set[str], out: list[Item]) -> None:
        rng = self.rng
        chosen: list[Person] = []
        for p in people:
            if p.age < 13:
                continue
            if p.age < 18:
                rate = R.POLICE_TEEN_RATE
            else:
                rate = R.POLICE_ADULT_MALE_RATE if p.sex == "M" else R.POLICE_ADULT_FEMALE_RATE
            if p.hid in known:
                rate *= R.POLICE_SOCIAL_CARE_FACTOR
            if rng.random() < rate:
                chosen.append(p)
        if not chosen:
            return
        sids = {p.pid: self._next_id("police") for p in chosen}
        for p in chosen:
            pnc = self._pnc_id(p) if rng.random() < R.PNC_RATE else None
            rels = []
            if p.partner is not None and p.partner.pid in sids and rng.random() < 0.5:
                rels.append({"type": "partner_of", "source_id": sids[p.partner.pid]})
            out.append(self._police_record(p, sids[p.pid], pnc, rels, alias=False))
            if rng.random() < R.POLICE_ALIAS_RATE:
                alias_pnc = pnc if rng.random() < 0.7 else None
                out.append(self._police_record(p, self._next_id("police"), alias_pnc, [], alias=True))

    def _pnc_id(self, p: Person) -> str:
        year = self.rng.randint(max(p.dob.year + 10, 1995), _REF.year)
        serial = self._pnc(self._pnc_n)
        self._pnc_n += 1
        yy = f"{year % 100:02d}"
        return f"{yy}/{serial}{pnc_check_letter(yy, serial)}"

    def _police_record(
        self, p: Person, sid: str, pnc: str | None, rels: list[dict[str, str]], *, alias: bool
    ) -> Item:
        rng = self.rng
        tags: list[str] = ["alias"] if alias else []
        given, middle, family = self._names(p, "police", tags, middle_rate=0.6, upper=True)
        dob = self._dob(p, tags, partial=p.age >= 18)
        if alias:
            r = rng.random()
            if r < 0.4:
                given = self.ref.given[(p.group, p.sex, "adult")].pick(rng)
            elif r < 0.7:
                family = self.ref.surnames[p.group].pick(rng)
                family = gendered(family, p.sex).upper() if rng.random() < 0.5 else gendered(family, p.sex)
            elif len(dob) == 10:
                d = date.fromisoformat(dob) if dob != "1900-01-01" else p.dob
                dob = min(d + timedelta(days=rng.choice((-366, -365, 365, 30, -30, 1))), _REF).isoformat()
        r = rng.random()
        if r < R.NFA_RATE:
            addresses = self._placeholder_address(p, tags, "nfa")
            lo, hi = max(p.dob.toordinal(), _EARLIEST_RECORD), REF_ORD - 1
        elif r < R.NFA_RATE + R.PLACEHOLDER_ADDRESS_RATE:
            addresses = self._placeholder_address(p, tags, "police")
            lo, hi = max(p.dob.toordinal(), _EARLIEST_RECORD), REF_ORD - 1
        else:
            addresses, lo, hi = self._addresses(p, tags, split_flat=False, dated=False)
        rec = _record(
            "police",
            sid,
            given,
            middle,
            family,
            dob,
            self._sex(p, tags),
            addresses,
            self._phones(p, tags, mobile=0.6, landline=0.15),
            self._emails(p, tags, 0.1),
            {"pnc_id": pnc} if pnc else {},
            None,
            rels,
            self._stamp(lo, hi),
        )
        return self._item(rec, p, tags)

    def _housing(self, units: list[Household], out: list[Item]) -> None:
        rng = self.rng
        for hh in units:
            if not hh.tenancy or hh.lead is None or hh.tenancy_start is None:
                continue
            lead = hh.lead
            tenancy = self._next_id("housing")
            joint = (
                lead.partner
                if (lead.partner in hh.members and rng.random() < R.HOUSING_JOINT_TENANT_RATE)
                else None
            )
            listed = (
                [lead]
                + ([joint] if joint else [])
                + [m for m in hh.members if m is not lead and m is not joint]
            )
            if hh.leaver is not None and rng.random() < R.HOUSING_DEPARTED_STILL_LISTED_RATE:
                listed.append(hh.leaver)
            sids = {p.pid: f"{tenancy}-{k}" for k, p in enumerate(listed, start=1)}
            for p in listed:
                label = _relation_to_lead(p, lead, joint, hh)
                rel_type = _HOUSING_REL.get(label, "other")
                rels = [] if p is lead else [{"type": rel_type, "source_id": sids[lead.pid]}]
                out.append(
                    self._housing_record(
                        p,
                        hh,
                        sids[p.pid],
                        tenancy,
                        label,
                        rels,
                        stale=p is hh.leaver,
                        email_rate=0.4 if p is lead else 0.2 if p is joint else 0.0,
                    )
                )

    def _housing_record(
        self,
        p: Person,
        hh: Household,
        sid: str,
        tenancy: str,
        label: str,
        rels: list[dict[str, str]],
        *,
        stale: bool,
        email_rate: float,
    ) -> Item:
        rng = self.rng
        tags: list[str] = ["stale_address"] if stale else []
        given, middle, family = self._names(p, "housing", tags, middle_rate=0.3)
        start = hh.tenancy_start
        assert start is not None
        address = self._render(hh.address, tags, split_flat=True, frm=start)
        home = self._landline(hh.landline) if hh.landline else None
        mobile = self._mobile(p.mobile) if p.mobile and p.age >= 16 and rng.random() < 0.8 else None
        phones = [x for x in (home, mobile) if x]
        if phones and rng.random() < R.PLACEHOLDER_PHONE_RATE:
            phones[0] = "07000 000000"
            if home:
                home = phones[0]
            else:
                mobile = phones[0]
            tags.append("placeholder_phone")
        emails = self._emails(p, tags, email_rate)
        dob = self._dob(p, tags)
        sex = self._sex(p, tags)
        lo = max(start, p.dob.toordinal())
        rec = _record(
            "housing",
            sid,
            given,
            middle,
            family,
            dob,
            sex,
            [address],
            phones,
            emails,
            {"uprn": hh.address.uprn},
            None,
            rels,
            self._stamp(min(lo, REF_ORD - 1), REF_ORD - 1),
        )
        extra = {
            "tenancy_ref": tenancy,
            "title": self._title(p),
            "relationship_to_lead": label,
            "tenancy_start": date.fromordinal(start).strftime("%d/%m/%Y"),
            "home_phone": home or "",
            "mobile": mobile or "",
        }
        return self._item(rec, p, tags, extra)

    def _title(self, p: Person) -> str:
        if p.age < 16:
            return ("Master" if p.sex == "M" else "Miss") if self.rng.random() < 0.3 else ""
        if p.sex == "M":
            return "Mr"
        if p.former_family and p.partner is not None:
            return "Mrs"
        return "Ms" if self.rng.random() < 0.5 else "Miss"


def _relation_to_lead(p: Person, lead: Person, joint: Person | None, hh: Household) -> str:
    if p is lead:
        return "Lead tenant"
    if p is joint:
        return "Joint tenant"
    if p is lead.partner or p is hh.leaver:
        return "Partner"
    son = p.sex == "M"
    if lead in (p.mother, p.father):
        return "Son" if son else "Daughter"
    if p.step_parent is lead or (lead.partner is not None and lead.partner in (p.mother, p.father)):
        return "Stepson" if son else "Stepdaughter"
    if p in (lead.mother, lead.father):
        return "Father" if son else "Mother"
    if lead in p.carers or any(lead in (q.mother, q.father) for q in p.parents()):
        return "Grandson" if son else "Granddaughter"
    if p.partner is not None and lead in (p.partner.mother, p.partner.father):
        return "Son-in-law" if son else "Daughter-in-law"
    if p.age >= 18 and hh.kind == "house_share":
        return "Lodger"
    shared = {lead.mother, lead.father} & {p.mother, p.father} - {None}
    if shared:
        return "Brother" if son else "Sister"
    return "Other"
