import { it } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import type { MessageRecord } from "@bote/core";
import { foldUpdates, isPastRetention, type StaffUpdate } from "@bote/client";
import { InquiryUpdate_Status, InquiryUpdateSchema, type InquiryUpdate } from "@bote/protocol";

const DAY_MS = 86_400_000;
let counter = 0;

/** An update as staffUpdates hands it over: the record only carries the times here. */
function update(sentAt: number, fields: Partial<InquiryUpdate>, storedAt = sentAt): StaffUpdate {
  const message = { messageId: `m${++counter}`, conversationId: "staff", sentAt, storedAt } as MessageRecord;
  return { message, update: create(InquiryUpdateSchema, { inquiryGroupId: new Uint8Array(16), ...fields }) };
}

const done = { status: InquiryUpdate_Status.DONE };

it("counts done from the update that set it, not from one repeating it", () => {
  const state = foldUpdates([
    update(1_000, { status: InquiryUpdate_Status.IN_PROGRESS }),
    update(2_000, done),
    update(9_000, done),
  ]);
  assert.equal(state.status, "done");
  assert.equal(state.doneAt, 2_000);
});

it("a reopened inquiry is not done, and done again counts anew", () => {
  assert.equal(
    foldUpdates([update(2_000, done), update(3_000, { status: InquiryUpdate_Status.NEW })]).doneAt,
    undefined,
  );
  const again = foldUpdates([
    update(2_000, done),
    update(3_000, { status: InquiryUpdate_Status.QUOTE_SENT }),
    update(4_000, done),
  ]);
  assert.equal(again.doneAt, 4_000);
  assert.equal(foldUpdates([update(2_000, done), update(3_000, { note: "x" })]).doneAt, 2_000, "a note keeps it");
});

it("takes the later of the sender's clock and this device's, so a slow clock ends nothing early", () => {
  assert.equal(foldUpdates([update(1_000, done, 5_000)]).doneAt, 5_000);
  assert.equal(foldUpdates([update(7_000, done, 5_000)]).doneAt, 7_000);
});

it("is past retention only when done, not archived, longer than the days, and the days are not 0", () => {
  const closed = foldUpdates([update(0, done)]);
  assert.equal(isPastRetention(closed, 30, 30 * DAY_MS), false, "exactly the period: still kept");
  assert.equal(isPastRetention(closed, 30, 30 * DAY_MS + 1), true);
  assert.equal(isPastRetention(closed, 0, 10_000 * DAY_MS), false, "0 keeps");
  assert.equal(isPastRetention(closed, undefined, 10_000 * DAY_MS), false, "an unknown contact point keeps");
  const archived = foldUpdates([update(0, done), update(1, { archived: true })]);
  assert.equal(isPastRetention(archived, 30, 10_000 * DAY_MS), false);
  const unarchived = foldUpdates([update(0, done), update(1, { archived: true }), update(2, { archived: false })]);
  assert.equal(isPastRetention(unarchived, 30, 31 * DAY_MS), true);
  const open = foldUpdates([update(0, { status: InquiryUpdate_Status.IN_PROGRESS })]);
  assert.equal(isPastRetention(open, 30, 10_000 * DAY_MS), false);
});

it("a customer's line after done reopens the inquiry; one at or before it does not", () => {
  const updates = [update(1_000, { status: InquiryUpdate_Status.QUOTE_SENT }), update(2_000, done)];
  const reopened = foldUpdates(updates, [500, 2_500]);
  assert.equal(reopened.status, "new");
  assert.equal(reopened.doneAt, undefined);
  assert.equal(isPastRetention(reopened, 30, 10_000 * DAY_MS), false, "the sweep keeps it");
  assert.equal(foldUpdates(updates, [500, 2_000]).status, "done", "the same millisecond is not later");
  assert.equal(foldUpdates(updates, [1_500]).doneAt, 2_000, "a line before done leaves it done");
  // Staff set done again: counted from that update; a repeat of done by a newcomer's copy does not move it.
  const closedAgain = foldUpdates([...updates, update(3_000, done), update(4_000, done)], [2_500]);
  assert.equal(closedAgain.status, "done");
  assert.equal(closedAgain.doneAt, 3_000);
  const order = [2_500, 500];
  assert.deepEqual(foldUpdates(updates, order), reopened, "the lines' order as stored does not matter");
});
