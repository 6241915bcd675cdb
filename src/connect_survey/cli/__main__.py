"""`python -m connect_survey.cli`: the same as the `connect-survey` command."""

import sys

from connect_survey.cli import main

sys.exit(main())
