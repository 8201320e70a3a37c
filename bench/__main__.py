"""`python -m bench demo --scale 100000` runs a scenario like `rallypoynt bench`."""

import sys

from rallypoynt.cli import main

sys.exit(main(["bench", *sys.argv[1:]]))
