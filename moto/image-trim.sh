#!/bin/sh
# Trim a built virtualenv ($1) to what durable Moto runs on (used by moto/Dockerfile).
# Every package stays importable; what goes is what nothing imports at run time.
set -eu
venv=$1
site=$(echo "$venv"/lib/python3*/site-packages)
"$venv/bin/python" -m pip uninstall --yes --quiet --disable-pip-version-check pip setuptools wheel
rm -f "$venv"/bin/pip* "$venv"/bin/easy_install*
# Test suites shipped inside packages, type stubs, build leftovers.
find "$site" -depth -type d \( -name tests -o -name test \) -exec rm -rf {} +
find "$site" -depth -type d -name '*-stubs' -exec rm -rf {} +
find "$site" \( -name '*.pyi' -o -name '*.c' -o -name '*.h' -o -name '*.pyx' -o -name '*.pxd' \) \
    -type f -delete
find "$site" -name __pycache__ -type d -prune -exec rm -rf {} +
# Bytecode, compiled once (the image's user cannot write it), except for the
# CloudFormation linter's tree, which only CloudFormation calls import.
skip='/(cfnlint|sympy|networkx|mpmath)/'
"$venv/bin/python" -m compileall -q -j 0 -x "$skip" "$site" "$venv/bin" >/dev/null
