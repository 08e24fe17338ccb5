import sys

from durable_moto.cli import main

sys.exit(main())
