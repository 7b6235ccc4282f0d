"""The statistics page: queries (one statement per figure), figures (tables) and SVG charts."""
