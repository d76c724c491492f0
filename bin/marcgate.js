#!/usr/bin/env -S node --max-semi-space-size=8
// An 8 MB young generation keeps memory flat on record streams (readIso2709 over 1,000,000
// records peaks at about 115 MB; 16 MB would pass 150 MB) and, now that an import or an export
// keeps little alive while it waits for its commit, collects faster than 4 MB: scavenges take
// 2.0–2.4 s instead of 2.6–2.9 s of a 100,000-record import, and the exports bench at 32 clients
// ran 1,259–1,279/s instead of 1,061–1,090/s in alternating runs. bench/run.ts reads the flags here.
import "../dist/src/cli/main.js";
