"""Files in and out: the `audit-tui/1` interchange file, import checks, streamed JSON, CSV and XLSX exports."""
