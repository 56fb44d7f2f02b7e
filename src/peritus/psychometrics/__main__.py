"""``python -m peritus.psychometrics analyze …`` runs the command without Django."""

import sys

from peritus.psychometrics.cli import main

sys.exit(main())
