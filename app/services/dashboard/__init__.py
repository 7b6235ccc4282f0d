"""The back office home (tableau de bord): read-only queries."""
