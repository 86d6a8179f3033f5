"""``python -m sikkerby …`` is the same as the ``sikkerby`` command."""

import sys

from sikkerby.cli import main

sys.exit(main())
