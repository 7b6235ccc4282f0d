"""Domain services: plain functions and objects the views, tasks and CLI call (no HTTP here)."""
