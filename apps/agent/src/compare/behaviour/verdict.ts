import type { BehaviourVerdict } from "@quantdeck/shared";

export const round = (value: number, digits = 0) => Number(value.toFixed(digits));
export const percent = (share: number) => round(share * 100);

/** A verdict; `at` (seconds into the recording) is where a viewer seeks to see it decided. */
export function verdict(
  id: BehaviourVerdict["id"],
  passed: boolean,
  figure: BehaviourVerdict["figure"],
  at: number | null = null,
): BehaviourVerdict {
  return { id, passed, figure, at: at === null ? null : Math.max(0, round(at, 2)) };
}
