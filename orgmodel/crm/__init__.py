"""A company's own CRM/ERP data: the import format, its checks, and what the data shows directly.

``load_export`` reads a folder of tables (through a ``mapping.toml`` for
Salesforce, HubSpot or any other naming) into the canonical format checked
by ``orgmodel crm check``; ``describe`` estimates, with intervals, what the
tables show without simulation (``orgmodel crm describe``). The calibration
by simulation (``orgmodel calibrate``) starts from both.
"""

from orgmodel.crm.export import TABLES, CrmError, CrmExport, Problem, load_export, write_export

__all__ = ["TABLES", "CrmError", "CrmExport", "Problem", "load_export", "write_export"]
