"""Written review (书面审查): a yearly campaign per area over the employers its rules select,
a submission per employer, review with findings, inspections for problems and non-submitters."""
