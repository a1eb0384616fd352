"""``python -m engine ...`` runs the ctax command line."""
import sys

from engine.cli import main

sys.exit(main())
