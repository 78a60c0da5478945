"""Pure-Python normalisation of the values agencies record: names, dates, postcodes, phones, emails,
addresses and national identifiers. No database; every function is cheap and cached for bulk use.
"""

from __future__ import annotations

from graph_model.normalise.addresses import Address, normalise_address
from graph_model.normalise.dates import DOB_RELATIONS, PartialDate, dob_relation, parse_date
from graph_model.normalise.emails import Email, normalise_email
from graph_model.normalise.identifiers import (
    Identifier,
    is_temporary_upn,
    is_valid_nhs_number,
    is_valid_pnc_id,
    is_valid_upn,
    nhs_check_digit,
    normalise_identifier,
    pnc_check_letter,
    upn_check_letter,
)
from graph_model.normalise.names import (
    canonical_given_name,
    clean_family_name,
    clean_given_name,
    clean_name,
    family_name_parts,
    given_name_groups,
    initial,
    phonetic_key,
)
from graph_model.normalise.phones import Phone, normalise_phone
from graph_model.normalise.postcodes import Postcode, normalise_postcode, other_postcode

__all__ = [
    "DOB_RELATIONS",
    "Address",
    "Email",
    "Identifier",
    "PartialDate",
    "Phone",
    "Postcode",
    "canonical_given_name",
    "clean_family_name",
    "clean_given_name",
    "clean_name",
    "dob_relation",
    "family_name_parts",
    "given_name_groups",
    "initial",
    "is_temporary_upn",
    "is_valid_nhs_number",
    "is_valid_pnc_id",
    "is_valid_upn",
    "nhs_check_digit",
    "normalise_address",
    "normalise_email",
    "normalise_identifier",
    "normalise_phone",
    "normalise_postcode",
    "other_postcode",
    "parse_date",
    "phonetic_key",
    "pnc_check_letter",
    "upn_check_letter",
]
