"""Who may see and change what: principals, local users, the audit log and the scoped view of the assistant
that enforces access groups."""
