"""Allows ``python -m semcom``."""

from semcom.cli import main

if __name__ == "__main__":
    main()
