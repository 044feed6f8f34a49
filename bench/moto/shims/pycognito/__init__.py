"""The part of pycognito the tests use (aws_srp), written from Cognito's published SRP math
because pycognito is not packaged by Debian (the runner installs nothing from PyPI)."""
from . import aws_srp  # noqa: F401
