/**
 * Multi-step: the profile's steps (`serialMatchSteps`/`nonSerialMatchSteps`), in order; the
 * first step that finds any record decides, and the later steps are not run (Alma's Multi Step
 * Match Method). A step that finds several records stops the run too: they are held for review.
 * "Finds" means after the validation stage (`validate.ts`, which the methods given here run):
 * a step whose candidates are all other resources, or held for staff, found no match, and the
 * next step runs; the held candidates are kept, for the review when no later step matches.
 */
import type { MatchStepName } from "../profile.js";
import {
  Findings,
  type HeldCandidate,
  type MatchInput,
  type MatchMethod,
  type MatchResult,
  type MatchView,
} from "./method.js";

/** Runs the steps with the methods `byName` gives. */
export async function runSteps(
  steps: readonly MatchStepName[],
  byName: (name: MatchStepName) => MatchMethod,
  input: MatchInput,
  view: MatchView,
): Promise<MatchResult> {
  const findings = new Findings("Multi-step", undefined);
  const log = findings.log;
  const tried: string[] = [];
  const held: HeldCandidate[] = [];
  for (const [i, name] of steps.entries()) {
    const step = i + 1;
    const result = await byName(name).run({ ...input, step }, view);
    log.push(...result.log);
    tried.push(...result.tried);
    for (const h of result.held) if (!held.some((x) => x.mmsId === h.mmsId)) held.push(h);
    if (result.mmsIds.length > 0) {
      findings.note(
        `step ${step} (${name}) found ${result.mmsIds.length} record(s)${step < steps.length ? `; steps ${step + 1}–${steps.length} not run` : ""}`,
        { step, stepMethod: name, mmsIds: result.mmsIds },
      );
      return { ...result, method: "Multi-step", tried, held, log };
    }
    const heldHere = result.held.map((h) => h.mmsId);
    findings.note(
      heldHere.length > 0
        ? `step ${step} (${name}) found no match; held for review: ${heldHere.join(", ")}`
        : `step ${step} (${name}) found nothing`,
      { step, stepMethod: name, mmsIds: [], ...(heldHere.length > 0 ? { held: heldHere } : {}) },
    );
  }
  return {
    method: "Multi-step",
    mmsIds: [],
    tried,
    matchedBy: [],
    foundVia: {},
    foundBy: {},
    held,
    why: {},
    log,
  };
}
