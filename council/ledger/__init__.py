"""The ledger area (账): compound and matter funds, entries with vouchers, two-officer
expenses, periodic disclosures."""
