import sys

from sim.analysis.calibration.cli import main

sys.exit(main())
