# Expect: start() reports SystemExit as data (line 4).
import sys

sys.exit(3)
