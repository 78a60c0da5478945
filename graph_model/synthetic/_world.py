"""The true world: people, the households they live in, their addresses, phones and identifiers.

Nothing here is an agency's view; ``_agencies`` turns a unit of households into records, with
each agency's habits and errors. A *unit* is what one draw produces: one household, or two when
a couple separated and one parent moved out.

Memory stays flat however many households are drawn: the only state kept between units is a
handful of counters (ids, phone numbers, addresses per town, UPN serials per school and year).
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from random import Random
from zlib import crc32

from graph_model.synthetic import rates as R
from graph_model.synthetic._identifiers import NhsAllocator, Permutation, upn_check_letter
from graph_model.synthetic._reference import CommonName, Reference, School, Town, Weighted

REF_ORD = R.REFERENCE_DATE.toordinal()
_REF = R.REFERENCE_DATE
_CUTOFF = R.SCHOOL_YEAR_CUTOFF

# Letters used in the inward part of postcodes (CIKMOV never appear there).
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_ADDRESS_VARIANTS = 3  # the same street name in up to three districts of one town
_MAX_HOUSE_NUMBER = 200

_CHILD_COUNTS = Weighted(list(R.CHILDREN_COUNT_WEIGHTS), list(R.CHILDREN_COUNT_WEIGHTS.values()))
# A twin pair per child drawn with this chance makes TWIN_RATE of all children twins.
_TWIN_PAIR_RATE = R.TWIN_RATE / (2 - R.TWIN_RATE)
# Share of children for whom a different surname is available at all (other parent's, step-parent's);
# measured on the generated world, so that CHILD_SURNAME_CHANGE_RATE holds per child overall.
_SURNAME_CHANGE_ELIGIBLE_SHARE = 0.36
_AGENCIES = ("health", "education", "social_care", "police", "housing")


def _ascii(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def gendered(family: str, sex: str) -> str:
    """Polish surnames take a feminine ending for women and girls (Kowalski -> Kowalska)."""
    if sex != "F":
        return family
    parts = family.split("-")
    out = []
    for part in parts:
        if part.endswith(("ski", "cki", "dzki")):
            part = part[:-1] + "a"
        out.append(part)
    return "-".join(out)


class Address:
    __slots__ = ("flat", "locality", "number", "postcode", "street", "town", "uprn")

    def __init__(
        self, town: Town, street: str, number: int, flat: int | None, locality: str, postcode: str, uprn: str
    ) -> None:
        self.town = town
        self.street = street
        self.number = number
        self.flat = flat
        self.locality = locality
        self.postcode = postcode
        self.uprn = uprn


class Household:
    __slots__ = (
        "address",
        "hid",
        "kind",
        "landline",
        "lead",
        "leaver",
        "members",
        "moved_ord",
        "prev_address",
        "primary",
        "secondary",
        "tenancy",
        "tenancy_start",
        "town",
    )

    def __init__(self, hid: str, kind: str, town: Town, address: Address) -> None:
        self.hid = hid
        self.kind = kind
        self.town = town
        self.address = address
        self.prev_address: Address | None = None
        self.moved_ord: int | None = None
        self.members: list[Person] = []
        self.landline: tuple[str, str] | None = None  # (area code, local number)
        self.primary: School | None = None
        self.secondary: School | None = None
        self.tenancy = False
        self.tenancy_start: int | None = None
        self.lead: Person | None = None
        self.leaver: Person | None = None  # the parent who moved out (split families)


class Person:
    """One real person. Links (mother, partner, ...) point at other people of the same unit."""

    __slots__ = (
        "address",
        "age",
        "alt_family",
        "alt_sources",
        "carers",
        "dob",
        "email",
        "family",
        "father",
        "former_family",
        "given",
        "group",
        "household",
        "hyphenated",
        "middle",
        "mobile",
        "mother",
        "moved_ord",
        "nhs",
        "partner",
        "pid",
        "prev_address",
        "school",
        "school_contact",
        "sex",
        "step_parent",
        "tags",
        "upn",
    )

    def __init__(
        self,
        pid: str,
        household: Household,
        given: str,
        middle: tuple[str, ...],
        family: str,
        sex: str,
        dob: date,
        age: int,
        group: str,
    ) -> None:
        self.pid = pid
        self.household = household
        self.given = given
        self.middle = middle
        self.family = family
        self.sex = sex
        self.dob = dob
        self.age = age
        self.group = group
        self.former_family: str | None = None  # surname before marriage (or the married one, if reverted)
        self.alt_family: str | None = None  # child known by another surname in some agencies
        self.alt_sources: frozenset[str] = frozenset()
        self.hyphenated = False
        self.mother: Person | None = None
        self.father: Person | None = None
        self.step_parent: Person | None = None
        self.carers: tuple[Person, ...] = ()  # grandparents bringing the child up
        self.partner: Person | None = None
        self.mobile: str | None = None
        self.email: str | None = None
        self.nhs: str | None = None
        self.upn: str | None = None
        self.school: School | None = None
        self.school_contact = True  # a parent who left: does the school still have them?
        self.address = household.address
        self.prev_address: Address | None = None
        self.moved_ord: int | None = None
        self.tags: set[str] = set()

    @property
    def hid(self) -> str:
        return self.household.hid

    def parents(self) -> tuple[Person, ...]:
        return tuple(p for p in (self.mother, self.father) if p is not None)


class World:
    """Draws household units one at a time from a single seeded random stream."""

    def __init__(self, rng: Random, ref: Reference) -> None:
        self.rng = rng
        self.ref = ref
        self._pid = 0
        self._hid = 0
        self.nhs = NhsAllocator(rng.randrange(10**6))
        self._mobile = Permutation(5, rng.randrange(10**5))
        self._mobile_n = 0
        self._email = Permutation(4, rng.randrange(10**4))
        self._email_n = 0
        self._landline = {t.name: Permutation(4, rng.randrange(10**4)) for t in ref.towns}
        self._landline_n = dict.fromkeys(self._landline, 0)
        space = len(ref.streets) * _ADDRESS_VARIANTS * _MAX_HOUSE_NUMBER
        self._address_space = space
        # An affine map n -> (n * mult + offset) mod space visits every address once if gcd(mult, space) = 1.
        self._address_mult = next(m for m in range(7_368_787, 7_368_787 + 1000, 2) if math.gcd(m, space) == 1)
        self._address_offset = {t.name: rng.randrange(space) for t in ref.towns}
        self._address_n = dict.fromkeys(self._address_offset, 0)
        self._upn_serial: dict[tuple[str, str], int] = {}
        # (common name, town, sex, era) -> birth year of the last bearer of that full name there
        self._common_years: dict[tuple[int, int, str, str], int] = {}
        self._dob_anchor = [date(_REF.year - age, _REF.month, _REF.day).toordinal() for age in range(111)]

    # --- small draws -----------------------------------------------------------------------

    def _dob(self, age: int) -> date:
        # Born in the 365 days up to the day that makes them exactly `age` on the reference date.
        # (Never on the reference day itself: nothing is recorded on or after it.)
        return date.fromordinal(
            self._dob_anchor[age] - (1 + self.rng.randrange(364) if age == 0 else self.rng.randrange(365))
        )

    def _given(self, group: str, sex: str, dob: date, avoid: set[str] | None = None) -> str:
        era = "child" if dob.year >= 2004 else "adult"
        picker = self.ref.given[(group, sex, era)]
        name = picker.pick(self.rng)
        tries = 0
        while avoid and name in avoid and tries < 10:
            name = picker.pick(self.rng)
            tries += 1
        return name

    def _surname(self, group: str) -> str:
        return self.ref.surnames[group].pick(self.rng)

    def _mobile_number(self) -> str:
        block, n = divmod(self._mobile_n, 100_000)
        self._mobile_n += 1
        return (
            f"07700{9 - block % 10}{self._mobile(n)}"
            if block < 10
            else f"0770{block // 10 % 10}{block % 10}{self._mobile(n)}"
        )

    def _landline_number(self, town: Town) -> tuple[str, str]:
        n = self._landline_n[town.name]
        self._landline_n[town.name] = n + 1
        block, n = divmod(n, 10_000)
        exchange = str(int(town.exchange) + block)
        return town.area_code, exchange + self._landline[town.name](n)

    def _email_address(self, given: str, family: str, dob: date) -> str:
        rng = self.rng
        g = "".join(c for c in _ascii(given).lower() if c.isalpha())
        f = "".join(c for c in _ascii(family).lower() if c.isalpha())
        shape = rng.random()
        if shape < 0.35:
            stem = f"{g}.{f}"
        elif shape < 0.55:
            stem = f"{g}{f}"
        elif shape < 0.70:
            stem = f"{g[:1]}{f}"
        elif shape < 0.80:
            stem = f"{g}_{f}"
        elif shape < 0.90:
            stem = f"{g}{dob.year % 100:02d}x"
        else:
            stem = f"{f}.{g}"
        # The counter part makes every address unique: strangers never share an email.
        number = self._email(self._email_n)
        self._email_n += 1
        # RFC 2606 reserved .test domains: never real mailboxes, and not the example.* placeholders
        domain = ("mailbox.test", "mailbox.test", "post.test", "inbox.test")[rng.randrange(4)]
        return f"{stem}{number}@{domain}"

    def address(self, town: Town) -> Address:
        """A fresh address in `town`, never another household's (until the town's 120,000 run out)."""
        n = self._address_n[town.name]
        self._address_n[town.name] = n + 1
        idx = (n * self._address_mult + self._address_offset[town.name]) % self._address_space
        streets = self.ref.streets
        street_i, rest = idx % len(streets), idx // len(streets)
        variant, number = rest % _ADDRESS_VARIANTS, rest // _ADDRESS_VARIANTS + 1
        street = streets[street_i]
        h = crc32(f"{town.name}|{street}|{variant}".encode())
        district = town.districts[h % len(town.districts)]
        sector = (h >> 8) % 10
        u = crc32(f"{town.name}|{street}|{variant}|{number // 16}".encode())
        postcode = f"{district} {sector}{_POSTCODE_LETTERS[u % 20]}{_POSTCODE_LETTERS[(u >> 8) % 20]}"
        locality = town.localities[(h >> 12) % len(town.localities)]
        flat = self.rng.randint(1, 9) if self.rng.random() < 0.15 else None
        uprn = f"{100 + town.index}{idx:07d}{flat or 0:02d}"
        return Address(town, street, number, flat, locality, postcode, uprn)

    # --- people ------------------------------------------------------------------------------

    def person(
        self,
        hh: Household,
        group: str,
        sex: str,
        age: int,
        family: str,
        *,
        given: str | None = None,
        avoid: set[str] | None = None,
    ) -> Person:
        rng = self.rng
        self._pid += 1
        dob = self._dob(age)
        given = given or self._given(group, sex, dob, avoid)
        middle: tuple[str, ...] = ()
        if rng.random() < R.MIDDLE_NAME_RATE:
            m1 = self._given(group, sex, dob, {given})
            middle = (m1, self._given(group, sex, dob, {given, m1})) if rng.random() < 0.2 else (m1,)
        p = Person(f"P{self._pid:06d}", hh, given, middle, gendered(family, sex), sex, dob, age, group)
        if rng.random() >= R.NO_NHS_NUMBER_RATE:
            p.nhs = self.nhs.next()
        mobile_rate = (
            R.MOBILE_RATE_ADULT
            if age >= 18
            else R.MOBILE_RATE_TEEN
            if age >= 13
            else R.MOBILE_RATE_CHILD
            if age >= 10
            else 0.0
        )
        if rng.random() < mobile_rate:
            p.mobile = self._mobile_number()
        if age >= 18 and rng.random() < R.EMAIL_RATE:
            p.email = self._email_address(given, p.family, dob)
        hh.members.append(p)
        return p

    def _group_for_partner(self, group: str) -> str:
        return self.ref.group_picker.pick(self.rng) if self.rng.random() < R.MIXED_COUPLE_RATE else group

    def _couple(
        self,
        hh: Household,
        group: str,
        man_age: int,
        woman_age: int,
        surname: str | None,
        married_rate: float,
    ) -> tuple[Person, Person, bool]:
        rng = self.rng
        family = surname or self._surname(group)
        man = self.person(hh, group, "M", man_age, family)
        woman_group = self._group_for_partner(group)
        birth_family = self._surname(woman_group)
        married = rng.random() < married_rate and birth_family != family
        woman = self.person(hh, woman_group, "F", woman_age, family if married else birth_family)
        if married:
            woman.former_family = gendered(birth_family, "F")
            if rng.random() < R.HYPHENATED_MARRIED_RATE:  # kept her name in front of his: Jones-Smith
                woman.family = gendered(f"{birth_family}-{family}", "F")
                woman.hyphenated = True
                woman.tags.add("hyphenated")
        man.partner, woman.partner = woman, man
        return man, woman, married

    def _children(
        self,
        hh: Household,
        group: str,
        n: int,
        family: str,
        *,
        mother: Person | None,
        father: Person | None,
        max_age: int,
        junior_of: Person | None = None,
        junior_age: int | None = None,
    ) -> list[Person]:
        """Up to `n` children, eldest first, spaced 1-4 years apart; twins now and then."""
        rng = self.rng
        parent_ages = [p.age for p in (mother, father) if p is not None]
        youngest_parent = min(parent_ages) if parent_ages else max_age + 18
        hi = min(max_age, youngest_parent - 18)
        lo = max(0, (mother.age if mother else youngest_parent) - 44)
        hi = max(hi, lo)
        age = junior_age if junior_age is not None else rng.randint(lo, hi)
        kids: list[Person] = []
        names: set[str] = set()
        while len(kids) < n and age >= 0:
            if not kids and junior_of is not None:
                kid = self.person(hh, group, "M", age, family, given=junior_of.given)
                kid.tags.add("junior")
                junior_of.tags.add("junior")
                if junior_of.middle and rng.random() < 0.5:
                    kid.middle = junior_of.middle
            else:
                sex = "M" if rng.random() < 0.512 else "F"
                kid = self.person(hh, group, sex, age, family, avoid=names)
            kid.mother, kid.father = mother, father
            kids.append(kid)
            names.add(kid.given)
            if rng.random() < _TWIN_PAIR_RATE and len(kids) < n + 1:
                twin = self._twin(hh, group, kid, names)
                kids.append(twin)
                names.add(twin.given)
            age -= rng.randint(1, 4)
        return kids

    def _twin(self, hh: Household, group: str, first: Person, names: set[str]) -> Person:
        rng = self.rng
        similar = self.ref.similar.get(first.given)
        if similar and rng.random() < R.SIMILAR_TWIN_NAMES_RATE:
            sex, given = first.sex, similar
        else:
            sex = first.sex if rng.random() < 0.6 else ("F" if first.sex == "M" else "M")
            given = None
        twin = self.person(hh, group, sex, first.age, first.family, given=given, avoid=names)
        twin.dob = first.dob
        twin.mother, twin.father = first.mother, first.father
        first.tags.add("twin")
        twin.tags.add("twin")
        return twin

    def _hyphenate(self, first: str, second: str) -> str:
        return f"{first}-{second}" if self.rng.random() < 0.6 else f"{second}-{first}"

    def _child_surname(self, father_family: str, mother_family: str) -> tuple[str, bool]:
        """Surname for the children of a couple whose surnames differ; True if double-barrelled."""
        rng = self.rng
        if rng.random() < R.HYPHENATED_CHILD_RATE:
            return self._hyphenate(father_family, mother_family), True
        return (father_family if rng.random() < 0.7 else mother_family), False

    def _offer_surname_change(self, kid: Person, other: str | None) -> None:
        if other is None or other == kid.family or kid.age >= 18:
            return
        if self.rng.random() < R.CHILD_SURNAME_CHANGE_RATE / _SURNAME_CHANGE_ELIGIBLE_SHARE:
            kid.alt_family = gendered(other, kid.sex)
            chosen = [a for a in _AGENCIES if self.rng.random() < 0.5]
            if not chosen or len(chosen) == len(_AGENCIES):
                chosen = [_AGENCIES[self.rng.randrange(len(_AGENCIES))]]
            kid.alt_sources = frozenset(chosen)
            kid.tags.add("surname_change_child")

    # --- households --------------------------------------------------------------------------

    def _new_household(self, kind: str, town: Town) -> Household:
        self._hid += 1
        hh = Household(f"H{self._hid:06d}", kind, town, self.address(town))
        return hh

    def unit(self, remaining: int) -> list[Household]:
        """Draw the next unit: one household, or two for a family that split (if `remaining` allows)."""
        rng, ref = self.rng, self.ref
        kind = ref.kind_picker.pick(rng)
        group = ref.group_picker.pick(rng)
        town = ref.town_picker.pick(rng)
        junior = rng.random() < R.JUNIOR_RATE
        common = None
        common_i = -1
        if rng.random() < R.SAME_NAME_STRANGER_RATE:
            common_i = rng.randrange(len(ref.common_names))
            common = ref.common_names[common_i]
            group = common.group
        if kind == "split_family" and remaining < 2:
            kind = "couple_children"
        if junior and kind not in ("couple_children", "single_parent"):
            kind = "couple_children"
        if kind == "multigenerational" and rng.random() < 0.5:
            group = ("pakistani_bangladeshi", "pakistani_bangladeshi", "indian")[rng.randrange(3)]

        hh = self._new_household(kind, town)
        surname = common.family if common else None
        units = [hh]
        if kind in ("couple_children", "split_family"):
            self._build_couple_children(hh, group, surname, junior)
            if kind == "split_family":
                units.append(self._split(hh))
        elif kind == "single_parent":
            self._build_single_parent(hh, group, surname, junior)
        elif kind == "blended":
            self._build_blended(hh, group, surname)
        elif kind == "multigenerational":
            self._build_multigenerational(hh, group, surname)
        elif kind == "couple":
            self._build_couple(hh, group, surname)
        elif kind == "single_adult":
            sex = "M" if rng.random() < 0.5 else "F"
            self.person(hh, group, sex, rng.randint(18, 90), surname or self._surname(group))
        else:
            self._build_house_share(hh, group, surname)

        if common is not None:
            self._apply_common_name([p for h in units for p in h.members], common, common_i, town)
        for h in units:
            self._finish(h, moved_allowed=h is hh and kind != "split_family")
        return units

    @staticmethod
    def release(units: list[Household]) -> None:
        """Break the unit's reference cycles once its records are made, so it is freed at once, not by the GC."""
        for hh in units:
            for p in hh.members:
                p.partner = None
            hh.members = []
            hh.lead = hh.leaver = None

    def _build_couple_children(self, hh: Household, group: str, surname: str | None, junior: bool) -> None:
        rng = self.rng
        n = _CHILD_COUNTS.pick(rng)
        max_age = 24 if rng.random() < R.ADULT_CHILD_RATE else 17
        junior_age = None
        man_age = rng.randint(22, 58)
        if junior:
            junior_age = rng.randint(18, 30) if rng.random() < R.JUNIOR_ADULT_SON_RATE else rng.randint(0, 17)
            man_age = max(man_age, junior_age + rng.randint(20, 32))
        woman_age = min(max(man_age + rng.randint(-8, 3), 19), 60)
        if junior_age is not None:
            woman_age = max(woman_age, junior_age + 18)
        man, woman, married = self._couple(hh, group, man_age, woman_age, surname, R.MARRIED_RATE)
        if married or man.family == gendered(woman.family, "M"):
            family, hyphen, other = man.family, False, None
        elif junior:
            family, hyphen, other = man.family, False, woman.family
        else:
            family, hyphen = self._child_surname(man.family, gendered(woman.family, "M"))
            other = None if hyphen else (gendered(woman.family, "M") if family == man.family else man.family)
        kids = self._children(
            hh,
            group,
            n,
            family,
            mother=woman,
            father=man,
            max_age=max_age,
            junior_of=man if junior else None,
            junior_age=junior_age,
        )
        for kid in kids:
            if hyphen:
                kid.hyphenated = True
                kid.tags.add("hyphenated")
            self._offer_surname_change(kid, other)

    def _split(self, hh: Household) -> Household:
        """The couple separated: one parent left, usually to live with a new partner."""
        rng = self.rng
        man = next(p for p in hh.members if p.sex == "M" and p.partner is not None)
        woman = man.partner
        assert woman is not None
        leaver, stayer = (man, woman) if rng.random() < 0.85 else (woman, man)
        town = hh.town if rng.random() < 0.85 else self.ref.town_picker.pick(rng)
        new = self._new_household("couple", town)
        hh.kind = "single_parent"
        hh.members.remove(leaver)
        hh.leaver = leaver
        new.members.append(leaver)
        leaver.household = new
        leaver.address = new.address
        leaver.prev_address = hh.address
        leaver.moved_ord = REF_ORD - rng.randint(30, 3 * 365)
        leaver.partner = stayer.partner = None
        leaver.school_contact = rng.random() < R.DEPARTED_PARENT_CONTACT_RATE
        if stayer.former_family and rng.random() < 0.2:  # she went back to her own surname
            stayer.family, stayer.former_family = stayer.former_family, stayer.family
            stayer.hyphenated = False
        if rng.random() < 0.7:
            sex = "F" if leaver.sex == "M" else "M"
            group = self._group_for_partner(leaver.group)
            age = min(max(leaver.age + rng.randint(-6, 4), 19), 80)
            partner = self.person(new, group, sex, age, self._surname(group))
            partner.partner, leaver.partner = leaver, partner
        else:
            new.kind = "single_adult"
        for p in hh.members + new.members:
            p.tags.add("split")
        return new

    def _build_single_parent(self, hh: Household, group: str, surname: str | None, junior: bool) -> None:
        rng = self.rng
        sex = "M" if junior or rng.random() < 0.12 else "F"
        junior_age = None
        age = rng.randint(18, 55)
        if junior:
            junior_age = rng.randint(18, 28) if rng.random() < R.JUNIOR_ADULT_SON_RATE else rng.randint(0, 17)
            age = max(age, junior_age + rng.randint(20, 30))
        parent = self.person(hh, group, sex, age, surname or self._surname(group))
        own = gendered(parent.family, "M")
        if junior or rng.random() < 0.55:
            family, other = own, None
        else:
            family, other = self._surname(group), own  # the absent parent's surname
        kids = self._children(
            hh,
            group,
            _CHILD_COUNTS.pick(rng),
            family,
            mother=parent if sex == "F" else None,
            father=parent if sex == "M" else None,
            max_age=24 if rng.random() < R.ADULT_CHILD_RATE else 17,
            junior_of=parent if junior else None,
            junior_age=junior_age,
        )
        for kid in kids:
            self._offer_surname_change(kid, other)

    def _build_blended(self, hh: Household, group: str, surname: str | None) -> None:
        """A mother, her children from before, a new partner, and perhaps children of theirs."""
        rng = self.rng
        woman_age = rng.randint(24, 50)
        man_age = min(max(woman_age + rng.randint(-4, 8), 20), 70)
        man, woman, _ = self._couple(hh, group, man_age, woman_age, surname, 0.5)
        ex_family = (
            self._surname(group)
            if rng.random() < 0.75
            else gendered(woman.former_family or woman.family, "M")
        )
        older = self._children(hh, group, rng.randint(1, 3), ex_family, mother=woman, father=None, max_age=17)
        for kid in older:
            kid.step_parent = man
            kid.tags.add("step_child")
            self._offer_surname_change(kid, man.family)
        youngest = min(k.age for k in older)
        if rng.random() < 0.5 and woman.age < 45 and youngest >= 1:
            self._children(
                hh, group, rng.randint(1, 2), man.family, mother=woman, father=man, max_age=youngest - 1
            )

    def _build_multigenerational(self, hh: Household, group: str, surname: str | None) -> None:
        rng = self.rng
        family = surname or self._surname(group)
        if rng.random() < R.KINSHIP_CARE_RATE:
            # Grandparents bringing up grandchildren whose parents live elsewhere (or nowhere).
            age = rng.randint(52, 78)
            if rng.random() < 0.6:
                gm = self.person(hh, group, "F", age, family)
                gf = self.person(hh, group, "M", min(age + rng.randint(0, 5), 90), family)
                gm.partner, gf.partner = gf, gm
                carers: tuple[Person, ...] = (gm, gf)
            else:
                carers = (self.person(hh, group, "F", age, family),)
            kid_family = family if rng.random() < 0.6 else self._surname(group)
            kids = self._children(
                hh, group, rng.randint(1, 3), kid_family, mother=None, father=None, max_age=min(17, age - 36)
            )
            for kid in kids:
                kid.carers = carers
                kid.tags.add("kinship")
                self._offer_surname_change(kid, family if kid_family != family else None)
            return
        via_son = rng.random() < 0.6
        mid_age = rng.randint(24, 50)
        g_age = min(mid_age + rng.randint(20, 32), 95)
        grandparents: list[Person] = [self.person(hh, group, "F", g_age, family)]
        if rng.random() < 0.45:
            gf = self.person(hh, group, "M", min(g_age + rng.randint(0, 5), 98), family)
            gf.partner, grandparents[0].partner = grandparents[0], gf
            grandparents.append(gf)
        gm = grandparents[0]
        gf_or_none = grandparents[1] if len(grandparents) > 1 else None
        if via_son:
            woman_age = min(max(mid_age + rng.randint(-6, 2), 19), 60)
            man, woman, _ = self._couple(hh, group, mid_age, woman_age, family, 0.85)
            man.mother, man.father = gm, gf_or_none
            kids = self._children(
                hh, group, _CHILD_COUNTS.pick(rng), man.family, mother=woman, father=man, max_age=17
            )
        else:
            daughter = self.person(hh, group, "F", mid_age, family)
            daughter.mother, daughter.father = gm, gf_or_none
            kid_family = family if rng.random() < 0.5 else self._surname(group)
            kids = self._children(
                hh, group, _CHILD_COUNTS.pick(rng), kid_family, mother=daughter, father=None, max_age=17
            )
            for kid in kids:
                self._offer_surname_change(kid, family if kid_family != family else None)
        for kid in kids:
            kid.tags.add("multigenerational")

    def _build_couple(self, hh: Household, group: str, surname: str | None) -> None:
        rng = self.rng
        man_age = rng.randint(20, 85)
        woman_age = min(max(man_age + rng.randint(-8, 3), 18), 90)
        self._couple(hh, group, man_age, woman_age, surname, 0.55)

    def _build_house_share(self, hh: Household, group: str, surname: str | None) -> None:
        rng = self.rng
        for i in range(rng.randint(2, 4)):
            g = group if i == 0 else self.ref.group_picker.pick(rng)
            sex = "M" if rng.random() < 0.5 else "F"
            self.person(
                hh, g, sex, rng.randint(19, 40), surname if (i == 0 and surname) else self._surname(g)
            )

    def _apply_common_name(self, members: list[Person], common: CommonName, index: int, town: Town) -> None:
        """Give one member the common full name; sometimes the birth year of its last bearer in the town."""
        rng = self.rng
        target = gendered(common.family, "F")
        candidates = [
            p for p in members if p.family in (common.family, target) and not p.tags & {"junior", "twin"}
        ]
        if not candidates:
            return
        p = candidates[rng.randrange(len(candidates))]
        era = "child" if p.dob.year >= 2004 else "adult"
        p.given = common.given[(p.sex, era)]
        p.tags.add("same_name_stranger")
        if p.email:
            p.email = self._email_address(p.given, p.family, p.dob)
        key = (index, town.index, p.sex, era)
        year = self._common_years.get(key)
        if year is not None and year != p.dob.year and rng.random() < R.SAME_NAME_SAME_YEAR_RATE:
            dob = date.fromordinal(date(year, 1, 1).toordinal() + rng.randrange(365))
            age = _age(dob, _REF)
            if dob < _REF and self._age_fits(p, age, members):
                p.dob, p.age = dob, age
                p.tags.add("same_name_same_year")
        elif year is not None and year == p.dob.year:
            p.tags.add("same_name_same_year")
        self._common_years[key] = p.dob.year

    @staticmethod
    def _age_fits(p: Person, age: int, members: list[Person]) -> bool:
        if (age >= 18) != (p.age >= 18) or age < 0 or age > 95:
            return False
        kids = [m for m in members if p in (m.mother, m.father) or p in m.carers or m.step_parent is p]
        if kids and age < max(k.age for k in kids) + 18:
            return False
        parents = [q for q in (p.mother, p.father, *p.carers) if q is not None]
        if parents and age > min(q.age for q in parents) - 18:
            return False
        # Siblings are not born months apart (twins never get here).
        siblings = [
            m for m in members if m is not p and parents and set(parents) & {m.mother, m.father, *m.carers}
        ]
        return all(abs(m.age - age) >= 1 for m in siblings)

    def _finish(self, hh: Household, moved_allowed: bool) -> None:
        """Household-wide facts: landline, a move, schools, UPNs, tenancy."""
        rng = self.rng
        if rng.random() < R.LANDLINE_RATE + (0.25 if any(p.age >= 65 for p in hh.members) else 0.0):
            hh.landline = self._landline_number(hh.town)
        if moved_allowed and rng.random() < R.MOVED_HOUSEHOLD_RATE:
            old_town = hh.town if rng.random() < 0.8 else self.ref.town_picker.pick(rng)
            hh.prev_address = self.address(old_town)
            hh.moved_ord = REF_ORD - rng.randint(14, 730)
            for p in hh.members:
                if p.dob.toordinal() < hh.moved_ord:
                    p.prev_address, p.moved_ord = hh.prev_address, hh.moved_ord
                    p.tags.add("moved")
        town = hh.town
        hh.primary = town.primaries[rng.randrange(len(town.primaries))]
        hh.secondary = town.secondaries[rng.randrange(len(town.secondaries))]
        for p in hh.members:
            self._school(hh, p)
        adults = [p for p in hh.members if p.age >= 18]
        if adults and rng.random() < R.HOUSING_TENANCY_RATE:
            hh.tenancy = True
            lead = adults[0] if len(adults) == 1 or rng.random() < 0.4 else adults[1]
            if lead.mother is not None and lead.mother in hh.members and rng.random() < 0.7:
                lead = lead.mother  # the older generation usually holds the tenancy
            hh.lead = lead
            if hh.moved_ord is not None:
                hh.tenancy_start = hh.moved_ord
            else:
                earliest = max(lead.dob.toordinal() + 18 * 366, date(1995, 1, 1).toordinal())
                latest = REF_ORD - 30
                hh.tenancy_start = rng.randint(min(earliest, latest), latest)

    def _school(self, hh: Household, p: Person) -> None:
        age = _age(p.dob, _CUTOFF)
        if age < 4 or age > 16:
            return
        rng = self.rng
        if age == 16 and rng.random() >= R.EDUCATION_SIXTH_FORM_RATE:
            return
        town = hh.town
        if age <= 10:
            school = (
                hh.primary
                if rng.random() >= R.SECOND_SCHOOL_RATE
                else town.primaries[rng.randrange(len(town.primaries))]
            )
        else:
            school = (
                hh.secondary
                if rng.random() >= R.SECOND_SCHOOL_RATE
                else town.secondaries[rng.randrange(len(town.secondaries))]
            )
        assert school is not None
        p.school = school
        # The UPN was issued by the first school, the September after the child turned four.
        first = hh.primary or school
        start = p.dob.year + 4 + (1 if (p.dob.month, p.dob.day) > (8, 31) else 0)
        key = (first.la_code + first.establishment, f"{start % 100:02d}")
        serial = self._upn_serial.get(key, 0)
        self._upn_serial[key] = serial + 1
        body = f"{key[0]}{key[1]}{serial % 1000:03d}"
        p.upn = upn_check_letter(body) + body


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
