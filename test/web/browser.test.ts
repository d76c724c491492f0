/**
 * The browser test: `marcgate serve` as a process, Debian's Chromium driven by playwright-core
 * (headless, --no-sandbox), and `marcgate send` as a process — what a systems librarian does the
 * first time: log in as the administrator made by `marcgate user add`, create the OCLC Connexion
 * profile through the wizard, export a record (twice, changed), find it in the search, open it,
 * see the job row and its decision log, restore an earlier version, and check a Viewer's limits.
 *
 * Skipped, saying so, when /usr/bin/chromium is missing (`.ci/run` installs it). With
 * MARCGATE_SCREENSHOTS=DIR the main pages are saved there as PNG (docs/screenshots/ holds them).
 */
import assert from "node:assert/strict";
import { execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { chromium, type Browser, type Page } from "playwright-core";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import { MARCGATE, startServe } from "../_serve.js";
import type { MarcRecord } from "../../src/marc/record.js";

const CHROMIUM = "/usr/bin/chromium";
const INSTITUTION = "01BRW_INST";
const ADMIN_PASSWORD = "admin-password-1";
const VIEWER_PASSWORD = "viewer-password-1";
const CONNEXION_PASSWORD = "connexion-pw";
const run = promisify(execFile);

function exported(title: string): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: "ocm55501234" },
      { tag: "003", value: "OCoLC" },
      { tag: "005", value: "20260101120000.0" },
      { tag: "008", value: "260101s2026    nyu           000 0 eng d" },
      { tag: "040", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "DLC" }] },
      { tag: "100", ind1: "1", ind2: " ", subfields: [{ code: "a", value: "Browser, Bea." }] },
      { tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: title }] },
      { tag: "650", ind1: " ", ind2: "0", subfields: [{ code: "a", value: "Web testing." }] },
    ],
  };
}

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`;

describe("in the browser", { skip }, () => {
  let dir: string;
  let serve: ChildProcess;
  let browser: Browser;
  let page: Page;
  let base: string;
  let connexionPort: number;
  const shots = process.env["MARCGATE_SCREENSHOTS"];

  const marcgate = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [MARCGATE, ...args, "--data", dir], { env: { ...process.env, ...env } });

  async function shot(name: string): Promise<void> {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  async function send(record: MarcRecord): Promise<string> {
    const file = join(dir, "export.mrc");
    writeFileSync(file, writeIso2709(record));
    const { stdout } = await run(process.execPath, [
      MARCGATE,
      "send",
      file,
      "--host",
      "127.0.0.1",
      "--port",
      String(connexionPort),
      "--logon",
      INSTITUTION,
      "--password",
      CONNEXION_PASSWORD,
    ]);
    return stdout;
  }

  async function login(name: string, password: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel("User name").fill(name);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marcgate-browser-"));
    await marcgate(["institution", "add", INSTITUTION, "--name", "Browser University"]);
    await marcgate(["user", "add", "admin", "--role", "General System Administrator"], {
      MARCGATE_PASSWORD: ADMIN_PASSWORD,
    });
    ({ process: serve, connexionPort, base } = await startServe(dir, "localhost"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  after(async () => {
    await browser?.close();
    if (serve && serve.exitCode === null) {
      const exited = new Promise((done) => serve.once("exit", done));
      serve.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("log in, create the profile in the wizard, export, find, open, job log, restore, role limits", async () => {
    // The record link asks for a login first, then comes back.
    await page.goto(`${base}/profiles`);
    assert.match(page.url(), /\/login\?next=%2Fprofiles$/);
    await shot("login");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Unknown user name or wrong password.").waitFor();
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Integration profiles" }).waitFor();

    // The wizard: page 1, then the Actions section.
    await page.getByRole("link", { name: "Add External System" }).click();
    await page.getByLabel("Code").fill("CONNEXION");
    await page.getByLabel("Name", { exact: true }).fill("OCLC Connexion import");
    assert.equal(await page.getByLabel("Integration type").inputValue(), "OCLC Connexion");
    await page
      .getByText("The Default check box is not functional for this integration type.")
      .waitFor();
    await shot("profile-definition");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Target format").selectOption("MARC21");
    await page.getByLabel("Merge method").selectOption("Overlay all fields but local");
    await page
      .getByLabel("Synchronize with External Catalog")
      .selectOption("Publish bibliographic records");
    await shot("profile-actions");
    await page.getByRole("button", { name: "Save" }).click();
    await page
      .getByText("The password: is required", { exact: false })
      .or(page.locator("#password-error"))
      .first()
      .waitFor();
    await page.getByLabel("Password").fill(CONNEXION_PASSWORD);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("The OCLC Connexion profile CONNEXION of 01BRW_INST is saved.").waitFor();
    await page.getByRole("cell", { name: "CONNEXION", exact: true }).waitFor();

    // A second profile, reached by the logon ID 01BRW_INST/SERIALS (docs/connexion.md).
    await page.getByRole("link", { name: "Add External System" }).click();
    await page.getByLabel("Code").fill("SERIALS");
    await page.getByLabel("Name", { exact: true }).fill("Serials");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Synchronize with External Catalog").selectOption("Don't publish");
    await page.getByLabel("Password").fill("serials password");
    await page.getByRole("button", { name: "Save" }).click();
    await page
      .getByText("The OCLC Connexion profile SERIALS of 01BRW_INST is saved.", { exact: false })
      .waitFor();
    await page.getByRole("cell", { name: "01BRW_INST/SERIALS", exact: true }).waitFor();
    await shot("profiles");

    // A Viewer account, made on the Users page.
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("User name").fill("reader");
    await page.getByLabel("Role", { exact: true }).selectOption("Viewer");
    await page.getByLabel("Password").fill(VIEWER_PASSWORD);
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByText("User reader (Viewer in 01BRW_INST) added.").waitFor();

    // Export over the Connexion port with `marcgate send`, then the same record changed.
    const first = await send(exported("Testing in a browser"));
    assert.match(first, /Success\. Record (99\d+) added\./);
    const mmsId = /Record (99\d+) added/.exec(first)![1]!;
    assert.match(first, new RegExp(`${base}/records/${mmsId}`));
    const second = await send(exported("Testing in a browser, second edition"));
    assert.match(second, new RegExp(`Success\\. Record ${mmsId} (overlaid|merged)`));

    // Find it by its OCLC number, and by a title word with the facets.
    await page.getByRole("link", { name: "Repository search" }).click();
    await page.getByLabel("Search for").fill("55501234");
    await page.getByLabel("in", { exact: true }).selectOption("oclc");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("1 record found").waitFor();
    await page.getByLabel("Search for").fill("browser");
    await page.getByLabel("in", { exact: true }).selectOption("keyword");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("complementary", { name: "Facets" }).getByText("Book").waitFor();
    await shot("search");
    await page.getByRole("link", { name: "Testing in a browser, second edition" }).click();
    assert.match(page.url(), new RegExp(`/records/${mmsId}$`));
    await page.getByRole("cell", { name: "Publish bibliographic records" }).waitFor();
    await page
      .getByRole("row", { name: /^version 2/ })
      .or(page.getByRole("cell", { name: "2 (current)" }))
      .first()
      .waitFor();
    await shot("record");

    // The versions side by side.
    await page.getByLabel("Compare").selectOption("1");
    await page.getByLabel("with").selectOption("2");
    await page.getByRole("button", { name: "Show the differences" }).click();
    await page.getByRole("cell", { name: "− 245 10 $a Testing in a browser" }).waitFor();
    await page
      .getByRole("cell", { name: "+ 245 10 $a Testing in a browser, second edition" })
      .waitFor();
    await shot("diff");

    // The job and the row's decision log.
    await page.getByRole("link", { name: "Import jobs" }).click();
    await page
      .getByRole("link", { name: /^job \d+$/ })
      .first()
      .click();
    await page.getByText("Received", { exact: true }).waitFor();
    await shot("job");
    await page
      .getByRole("link", { name: /^#\d+$/ })
      .last()
      .click();
    await page.getByRole("heading", { name: "Decision log" }).waitFor();
    await page.getByRole("cell", { name: "match", exact: true }).first().waitFor();
    await page.getByRole("heading", { name: /The record as received/ }).waitFor();
    await shot("job-row");

    // Restore version 1 as a cataloger would (the administrator may too).
    await page.goto(`${base}/records/${mmsId}`);
    await page.getByRole("button", { name: "Restore version 1" }).click();
    await page.getByText("Version 1 restored as version 3.").waitFor();
    await page.getByRole("heading", { name: "Testing in a browser", exact: true }).waitFor();

    // The fixed fields keep their blanks under a ruler; suppress and unsuppress from the view.
    assert.ok((await page.locator("table.marc .fixed .blank").count()) > 0);
    await page.getByRole("button", { name: "Suppress", exact: true }).click();
    await page.getByText("Suppressed as version 4.").waitFor();
    await shot("record-suppressed");
    await page.getByRole("button", { name: "Unsuppress", exact: true }).click();
    await page.getByText("Unsuppressed as version 5.").waitFor();

    // The MARC editor: the record as mnemonic text, a plain form (no script), a new version.
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    const text = page.locator("#marc-text");
    const before = await text.inputValue();
    assert.match(before, /^=LDR {2}/);
    await text.fill(before.replace(/^=245 {2}(..)\$a/m, "=245  $1$aEdited: "));
    await page.locator("#edit-why").fill("checked against the item");
    await shot("record-edit");
    await page.getByRole("button", { name: "Check and save" }).click();
    await page.getByText("Saved as version 6.").waitFor();
    await page.getByRole("cell", { name: "edit: checked against the item" }).waitFor();

    // A Hebrew 880 (its $6 ends in /r) is laid out right to left; its 245 stays left to right.
    const hebrew = exported("Sefer ha-bdikah");
    const rtlRecord: MarcRecord = {
      leader: hebrew.leader,
      fields: [
        ...hebrew.fields
          .filter((f) => f.tag !== "001")
          .map((f) =>
            f.tag === "245" && !("value" in f)
              ? { ...f, subfields: [{ code: "6", value: "880-01" }, ...f.subfields] }
              : f,
          ),
        { tag: "001", value: "ocm55509876" },
        {
          tag: "880",
          ind1: "1",
          ind2: "0",
          subfields: [
            { code: "6", value: "245-01/(2/r" },
            { code: "a", value: "ספר הבדיקה." },
          ],
        },
      ],
    };
    const sent = await send(rtlRecord);
    const rtlId = /Record (99\d+) added/.exec(sent)![1]!;
    await page.goto(`${base}/records/${rtlId}`);
    const cell = page.locator('table.marc td[dir="rtl"]');
    assert.equal(await cell.count(), 1);
    assert.match((await cell.textContent()) ?? "", /ספר הבדיקה/);
    assert.equal(
      await page.evaluate(
        `getComputedStyle(document.querySelector('table.marc td[dir="rtl"]')).direction`,
      ),
      "rtl",
    );
    await shot("record-rtl");

    // An export that carries both records' OCLC numbers is held for review; the review queue
    // shows it side by side with each candidate, the key that found it and the differences.
    const both = exported("Testing in a browser, both numbers");
    const heldReply = await send({
      leader: both.leader,
      fields: [
        ...both.fields.filter((f) => f.tag < "035"),
        { tag: "035", ind1: " ", ind2: " ", subfields: [{ code: "a", value: "(OCoLC)55509876" }] },
        ...both.fields.filter((f) => f.tag > "035"),
      ],
    });
    assert.match(heldReply, /: Held for review: 2 records match/);
    await page.getByRole("link", { name: "Import jobs" }).click();
    await page
      .getByRole("link", { name: /^job \d+$/ })
      .first()
      .click();
    await page.getByRole("link", { name: "Held for review (1)" }).click();
    await page.getByText("Rows 1–1 of 1 · page 1 of 1").waitFor();
    await shot("job-filtered");
    await page.getByRole("link", { name: "Review queue" }).click();
    await page.getByRole("link", { name: "side by side" }).click();
    for (const id of [mmsId, rtlId]) {
      const candidate = page.getByRole("region", { name: `Candidate ${id}` });
      await candidate.getByRole("link", { name: id }).waitFor();
      await candidate.getByText(/OCLC number 555(01234|09876)/).waitFor();
    }
    await page
      .getByRole("cell", { name: "− 245 10 $a Testing in a browser, both numbers" })
      .first()
      .waitFor();
    await page.getByRole("cell", { name: "+ 245 10 $6 880-01 $a Sefer ha-bdikah" }).waitFor();
    await page.getByRole("heading", { name: "The checks that held it" }).waitFor();
    await page.getByRole("cell", { name: "several matches: held for review" }).waitFor();
    await shot("review-side-by-side");
    await page.getByRole("button", { name: "Discard" }).click();
    await page.getByText(/Row #\d+ discarded\./).waitFor();

    // Delete from the workbench: the versions stay and a restore brings the record back.
    await page.goto(`${base}/records/${rtlId}`);
    await page.getByRole("button", { name: "Delete record" }).click();
    await page.getByText(`Record ${rtlId} deleted; its versions are kept`).waitFor();
    await page.getByText(`Record ${rtlId} of ${INSTITUTION} was deleted by admin at`).waitFor();
    await shot("record-deleted");
    await page.getByRole("button", { name: "Restore version 1" }).click();
    await page.getByText("Version 1 restored as version 2.").waitFor();
    await page.goto(`${base}/records/${mmsId}`);

    await page.getByRole("link", { name: "Status" }).click();
    await page.getByText("Connexion listener").waitFor();
    await shot("status");

    // A Viewer searches and views, but may not configure or restore.
    await page.getByRole("button", { name: "Log out" }).click();
    await login("reader", VIEWER_PASSWORD);
    await page.goto(`${base}/records/${mmsId}`);
    await page.getByRole("heading", { name: "Versions" }).waitFor();
    assert.equal(await page.getByRole("button", { name: /^Restore version/ }).count(), 0);
    const refused = await page.goto(`${base}/profiles/new`);
    assert.equal(refused?.status(), 403);
    await page.getByText("This needs the role General System Administrator").waitFor();
    assert.equal(await page.getByRole("link", { name: "Users" }).count(), 0);
  });
});
