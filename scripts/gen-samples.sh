#!/usr/bin/env bash
# Writes samples/records.mrc (ISO 2709, UTF-8) from samples/records.mrk, the readable source of
# the sample records (MarcEdit mnemonic; see samples/README.md), with marcgate's own converter,
# then lints and validates the result. Run from anywhere after `npm ci` (or `npx tsc`);
# test/packaging/samples.test.ts checks that the committed .mrc is what this writes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MARCGATE="$ROOT/bin/marcgate.js"
node "$MARCGATE" convert --from mrk --to iso2709 -o "$ROOT/samples/records.mrc" "$ROOT/samples/records.mrk"
node "$MARCGATE" lint "$ROOT/samples/records.mrc"
node "$MARCGATE" validation check "$ROOT/samples/records.mrc"
