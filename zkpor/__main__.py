"""``python -m zkpor`` runs the command line."""

from .cli import main

main()
