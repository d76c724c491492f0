/** Validation over the wire: an export with a validation error is held, a sound one is saved. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConnexionClient } from "../../src/connexion/client.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import {
  INSTITUTION,
  oclcRecord,
  PASSWORD,
  startGateway,
  type RunningGateway,
} from "../connexion/_fixture.js";

describe("validation over Connexion", () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await startGateway({});
  });
  after(() => gateway.close());

  async function send(bytes: Uint8Array): Promise<string> {
    const client = await ConnexionClient.connect({
      host: "127.0.0.1",
      port: gateway.app.connexionPort,
    });
    try {
      return await client.send(bytes, { logonId: INSTITUTION, password: PASSWORD }, "byte");
    } finally {
      await client.close();
    }
  }

  test("a record without 245 is held for review; its job row keeps the errors", async () => {
    const valid = oclcRecord(5001, "Sound");
    const invalid = { ...valid, fields: valid.fields.filter((f) => f.tag !== "245") };
    const reply = await send(writeIso2709(invalid));
    assert.match(
      reply,
      /^Held for review: 1 validation error \(MarcXML Bib Import\): 245: the record has no 245 \(title statement\) \[field\.245-missing\]\. Staff can resolve it in job (\d+)\.$/,
    );
    const jobId = Number(/job (\d+)\./.exec(reply)![1]);
    const rows = await gateway.catalog.jobRecords(jobId);
    const row = rows.at(-1)!;
    assert.equal(row.outcome, "review");
    assert.equal(row.mmsId, undefined);
    assert.match(JSON.stringify(row.log), /error \[field\.245-missing\] 245/);
    assert.deepEqual(await gateway.catalog.findByKey("oclc", "5001", [INSTITUTION]), []);
  });

  test("a sound record passes validation and is saved", async () => {
    const reply = await send(writeIso2709(oclcRecord(5002, "Sound")));
    assert.match(reply, /^Success\. Record \d+ added\./);
    assert.equal((await gateway.catalog.findByKey("oclc", "5002", [INSTITUTION])).length, 1);
  });
});
