"""`python -m data.seed ...`: the stable entry point of the synthetic seed (see data.synthetic.seed)."""

import sys

from data.synthetic.seed import main

if __name__ == "__main__":
    sys.exit(main())
