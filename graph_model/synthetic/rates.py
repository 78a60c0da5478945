"""Every rate the synthetic generator uses, in one place.

Each constant says what it is a probability *of*, per what unit (per household, per person, per
record, or per record where the error is possible at all). The tests measure each hard case in the
same unit, so changing a number here changes what the tests expect.
"""

from __future__ import annotations

from datetime import date

REFERENCE_DATE = date(2026, 11, 1)
"""All ages are relative to this day; nothing is recorded after it."""

SCHOOL_YEAR_CUTOFF = date(2026, 8, 31)
"""School year is fixed by age on 31 August (reception = 4, year 11 = 15)."""

# --- who lives where -------------------------------------------------------------------------

GROUP_WEIGHTS: dict[str, float] = {
    "white_british": 0.64,
    "pakistani_bangladeshi": 0.12,
    "indian": 0.05,
    "black_african": 0.05,
    "black_caribbean": 0.03,
    "polish": 0.04,
    "romanian": 0.03,
    "arab": 0.04,
}
"""Ethnic mix of households (an English city such as Leeds or Bradford)."""

HOUSEHOLD_KIND_WEIGHTS: dict[str, float] = {
    "couple_children": 0.28,
    "single_parent": 0.14,
    "blended": 0.06,
    "multigenerational": 0.05,
    "split_family": 0.04,  # a couple with children who separated: makes TWO households
    "couple": 0.13,
    "single_adult": 0.23,
    "house_share": 0.07,
}
"""Household kinds, per household unit drawn (a split family yields two households)."""

CHILDREN_COUNT_WEIGHTS: dict[int, float] = {1: 0.36, 2: 0.37, 3: 0.16, 4: 0.07, 5: 0.03, 6: 0.01}
MIXED_COUPLE_RATE = 0.08  # per couple: partners from different groups
MARRIED_RATE = 0.65  # per couple with children: the mother took the father's surname
HYPHENATED_MARRIED_RATE = 0.10  # per woman who took her partner's surname: double-barrelled (Jones-Smith)
# Per family whose parents' surnames differ: the children are double-barrelled ("Smith-Khan").
HYPHENATED_CHILD_RATE = 0.20
KINSHIP_CARE_RATE = 0.15  # per multigenerational household: grandparents bring up grandchildren, no parents
ADULT_CHILD_RATE = 0.15  # per family: eldest child may be an adult (18-24) still at home
LANDLINE_RATE = 0.35  # per household: a landline shared by every member
EMAIL_RATE = 0.55  # per adult
MOBILE_RATE_ADULT = 0.93
MOBILE_RATE_TEEN = 0.75  # 13-17
MOBILE_RATE_CHILD = 0.15  # 10-12
MIDDLE_NAME_RATE = 0.45  # per person: has one middle name (a fifth of those have two)
NO_NHS_NUMBER_RATE = 0.02  # per person: recent arrival, never registered

# --- hard cases --------------------------------------------------------------------------------

MOVED_HOUSEHOLD_RATE = 0.10
"""Per household (other than the two a separation makes): moved in the last two years, so it has a
previous address. The parent who moved out of a separated family has one as well."""
STALE_ADDRESS_RATE = 0.35
"""Per record of someone who moved: the agency still holds only the OLD address."""
BOTH_ADDRESSES_RATE = 0.20
"""Per record of someone who moved: the agency holds old and new, with from/to dates."""

SPLIT_FAMILY_RATE = HOUSEHOLD_KIND_WEIGHTS["split_family"]
"""Per household unit: parents separated, one moved out (usually with a new partner)."""
DEPARTED_PARENT_CONTACT_RATE = 0.70
"""Per split family: the school still has the parent who moved out as a contact."""

TWIN_RATE = 0.02
"""Per child: is one of a pair of twins (same dob, surname and address)."""
SIMILAR_TWIN_NAMES_RATE = 0.35
"""Per twin pair: given names that differ by a letter or two (Aiden/Aidan) when a pair is known."""

JUNIOR_RATE = 0.02
"""Per household: a son named after his father (same given and family name, same address)."""
JUNIOR_ADULT_SON_RATE = 0.40
"""Per junior: the son is an adult (18-30) still living at home, not a child."""

SAME_NAME_STRANGER_RATE = 0.04
"""Per household unit drawn (a separated family is one unit of two households): one member carries a
deliberately common full name (Mohammed Khan, Olivia Smith...)."""
SAME_NAME_SAME_YEAR_RATE = 0.40
"""Per same-name stranger: born in the same year as the previous stranger with that name."""

CHILD_SURNAME_CHANGE_RATE = 0.03
"""Per child: some agencies know the child by a step-parent's (or the other parent's) surname."""

NICKNAME_RATE = 0.10
"""Per record of a person whose given name has a known nickname or spelling variant."""
NAME_TYPO_RATE = 0.05
"""Per record: one character inserted, deleted, substituted or transposed in given or family name."""
HYPHEN_VARIANT_RATE = 0.35
"""Per record of a person with a double-barrelled surname: one part only, or a space for the hyphen."""
MAIDEN_NAME_RATE = 0.05
"""Per record of a woman who took her partner's surname: recorded under her maiden name."""
DIACRITICS_DROP_RATE = 0.50
"""Per record of a name with diacritics (Wiśniewski, Ștefan): the agency's system dropped them."""
UPPERCASE_SURNAME_RATE = 0.50
"""Per police record: family name in capitals (NOWAK), as police systems often hold it."""

DOB_SWAP_RATE = 0.02
"""Per record whose dob CAN be swapped (day <= 12 and day != month): day and month swapped."""
DOB_OFF_BY_ONE_RATE = 0.02
"""Per record with a dob: one day out, or the year one out."""
CONTACT_DOB_MISSING_RATE = 0.80
"""Per education contact (parent/carer) record: no dob."""
PLACEHOLDER_DOB_RATE = 0.003
"""Per record with a dob: 1900-01-01 instead (the system's "unknown")."""
PARTIAL_DOB_RATE = 0.02
"""Per police or social care record of an adult: only "YYYY-MM" or "YYYY" known."""

NHS_TYPO_RATE = 0.01
"""Per record carrying an NHS number: mistyped (one digit changed or two swapped), check digit fails."""
TEMPORARY_UPN_RATE = 0.01
"""Per pupil record: a temporary UPN (ends in a letter) instead of the permanent one."""

POSTCODE_FORMAT_RATE = 0.20
"""Per address: postcode lower case and/or without its space."""
ADDRESS_ABBREVIATION_RATE = 0.10
"""Per address: street type abbreviated (Rd, St, Ave)."""
NFA_RATE = 0.05
"""Per police record: address "No Fixed Abode"."""
PLACEHOLDER_ADDRESS_RATE = 0.02
"""Per police or social care record: the police station or council office address instead."""
PLACEHOLDER_PHONE_RATE = 0.005
"""Per record holding a phone: a dummy number (07000 000000) instead."""
PLACEHOLDER_EMAIL_RATE = 0.01
"""Per record holding an email: noemail@example.com instead."""
SEX_UNKNOWN_RATE = 0.01
"""Per record: sex "U" or null although known."""

# --- which agency knows whom --------------------------------------------------------------------

HEALTH_COVERAGE = 0.95  # per person: registered with a GP
HEALTH_NHS_NUMBER_RATE = 0.90  # per health record: carries the NHS number
HEALTH_DUPLICATE_RATE = 0.02  # per person in health: a second record from re-registration

EDUCATION_SIXTH_FORM_RATE = 0.50  # per 16-year-old: still on a school roll
SECOND_SCHOOL_RATE = 0.08  # per primary-age sibling: attends a different primary from the others
CONTACT_EMAIL_RATE = 0.40
CONTACT_SEX_MISSING_RATE = 0.50

SOCIAL_CARE_HOUSEHOLD_RATE = 0.08
"""Per household: known to children's social care (children and parents). Only households with
children qualify (about 54% of them), so about 15% of those are known."""
SOCIAL_CARE_NHS_NUMBER_RATE = 0.60
SOCIAL_CARE_UPN_RATE = 0.40  # per school-age child record
SOCIAL_CARE_ABSENT_PARENT_RATE = 0.60  # per split family in social care: the parent who left is recorded

POLICE_ADULT_MALE_RATE = 0.07
POLICE_ADULT_FEMALE_RATE = 0.03
POLICE_TEEN_RATE = 0.04  # per 13-17 year old
POLICE_SOCIAL_CARE_FACTOR = 3.0  # adults in a household known to social care are more often known to police
PNC_RATE = 0.85  # per police person: has a PNC id (arrested at some point)
POLICE_ALIAS_RATE = 0.03  # per police person: a second record under an alias

HOUSING_TENANCY_RATE = 0.18  # per household: council / housing association tenancy
HOUSING_JOINT_TENANT_RATE = 0.70  # per tenancy with a couple: the partner is joint tenant
HOUSING_DEPARTED_STILL_LISTED_RATE = 0.50  # per split family with a tenancy: the leaver still listed
