"""Development tools of a zkpor source checkout (not installed: pyproject lists the packages
it ships, and tools is not one of them)."""
