"""``python -m engine ...`` runs the ctax command line."""
import sys

from .cli import main

sys.exit(main())
