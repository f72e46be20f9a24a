// centsToCellNumber takes a shortcut (integer division instead of formatting and
// parsing the euro text): it must give the very same double for every amount.
import { fc, test } from "@fast-check/vitest";
import { formatMoney } from "../../domain/money";
import { centsToCellNumber } from "../../exports/formulas";

const LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

test.prop([fc.bigInt({ min: -LIMIT * 4n, max: LIMIT * 4n })], { numRuns: 2000 })(
  "equals Number() of the formatted euro amount",
  (cents) => {
    expect(Object.is(centsToCellNumber(cents), Number(formatMoney(cents)))).toBe(true);
  },
);

test.each([0n, 1n, -1n, 5n, 99n, 12_345_678n, -250n, LIMIT, -LIMIT, LIMIT + 1n])(
  "%s cents",
  (cents) => {
    expect(centsToCellNumber(cents)).toBe(Number(formatMoney(cents)));
  },
);
