"""``python -m zkpor`` runs the command line."""

from zkpor.cli import main

main()
