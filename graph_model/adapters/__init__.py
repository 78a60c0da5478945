"""Adapters for the formats agencies' systems export; importing this package registers them.

``graph_model.ingest.formats`` imports it lazily (the adapters pull in lxml and fhir.resources), so
``mashgraph formats`` and ``mashgraph ingest --format NAME`` see every adapter:

- ``fhir``: HL7 FHIR R4 Patient/RelatedPerson (JSON, Bundle, NDJSON), default source health
- ``ctf``: DfE Common Transfer File XML, default source education
- ``ssd``: Standard Safeguarding Dataset CSV tables, default source social_care
- ``cin``: Children in Need census XML, default source social_care
- ``pole``: police POLE export (JSON, NDJSON, CSV tables), default source police
- ``housing``: tenancy CSV with UPRN, default source housing

Sample files, all synthetic, are under ``fixtures/``; the CTF subset schema is ``schemas/ctf-subset.xsd``.
"""

from graph_model.adapters import cin, ctf, fhir, housing, pole, ssd

__all__ = ["cin", "ctf", "fhir", "housing", "pole", "ssd"]
