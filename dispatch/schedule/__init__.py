"""Scheduled jobs: the catalogue of what runs when (jobs.py), the runner that records every
run and never runs a job twice at once (runner.py), and what the admin page reads (service.py)."""
