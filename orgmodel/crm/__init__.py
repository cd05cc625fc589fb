"""CRM/ERP exports: the import format, checks, direct estimates and synthetic exports."""
