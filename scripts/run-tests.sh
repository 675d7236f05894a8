#!/usr/bin/env bash
# Run the whole suite on SQLite and on a throwaway PostgreSQL server started here.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
pgdir=$(mktemp -d /tmp/chainlead-pg-XXXXXX)
url=$($PY scripts/pg_test_server.py start "$pgdir") || { echo "could not start PostgreSQL" >&2; exit 1; }
trap '$PY scripts/pg_test_server.py stop "$pgdir"' EXIT
export CHAINLEAD_TEST_PG_URL="$url"
echo "PostgreSQL test server: $url"
$PY -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit $rc
