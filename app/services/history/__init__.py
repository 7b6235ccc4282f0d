"""What the parent space lists of a family's past: alerts, requests, bookings."""
