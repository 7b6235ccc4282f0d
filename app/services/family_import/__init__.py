"""Import of families, guardians and children (and their QF, enrolments and SEPA mandates)
from the previous system's file: upload (`commands.UploadImport`), column mapping (kept for
the next file, `fields.saved_mapping`), dry run listing every refused row with its line and
the reason (`check.check_rows`), then the run, all or nothing, in the background with its
progress (`run.execute_import`, task `portal.family_import`). Matching rules
(`fields.MATCHING_RULES`) make a second import of the same file create nothing."""
