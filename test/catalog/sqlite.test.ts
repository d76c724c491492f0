import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteCatalog } from "../../src/catalog/sqlite.js";
import { catalogSuite } from "./suite.js";

catalogSuite("sqlite", () => openSqliteCatalog(mkdtempSync(join(tmpdir(), "marcgate-catalog-"))));
