#!/usr/bin/env -S node --max-semi-space-size=4
// A 4 MB young generation keeps memory flat (about 90 MB peak whatever the file size) and
// is faster for record streams than V8's default growth; bench/run.ts reads the flags here.
import "../dist/src/cli/main.js";
