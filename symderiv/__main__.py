import sys

from symderiv.cli.main import main

sys.exit(main())
