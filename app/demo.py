"""`flask portal demo`: the brochure's town (written by the demo module's owner)."""
