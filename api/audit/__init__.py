"""The tamper-evident audit trail: who saw what, for which purpose, under which policy version."""

from api.audit._chain import GENESIS, ChainReport, ChainVerifier, entry_hash, verify_entries
from api.audit._log import AuditEntry, AuditLog, ensure_audit_schema
from api.audit._shared_head import SharedHead, create_shared_head

__all__ = ["GENESIS", "AuditEntry", "AuditLog", "ChainReport", "ChainVerifier", "SharedHead", "create_shared_head",
           "ensure_audit_schema", "entry_hash", "verify_entries"]
