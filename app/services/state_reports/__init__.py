"""The reports a town owes the State's bodies: the CAF's hours of presence of the
périscolaire (« prestation de service », `caf`) and the « cantine à 1 € » claim to the ASP
(`canteen`), each with the rules it applies written out (`RULES`), in XLSX and CSV
(`files`). Read-only: `queries` in each module."""
