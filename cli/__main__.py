"""``python -m dataledger.cli``: the same as the ``dataledger`` command."""

import sys

from dataledger.cli.main import main

sys.exit(main())
