/** Frames as the sandbox decodes them: 64×48 8-bit grey, one after another. */
const FRAME_BYTES = 64 * 48;
/** Below this standard deviation a frame is one flat colour (a blank window). */
const BLANK_STDDEV = 2;
/** Mean absolute difference per pixel above which two frames differ (the picture moved). */
const CHANGE_THRESHOLD = 0.1;

/**
 * Looks at a recording's frames: how many show something (not one flat colour) and how
 * many differ from the frame before (the picture moves). A working animation has both;
 * a crash shows a blank or frozen window.
 */
export function analyzeFrames(data: Buffer): { count: number; nonBlank: number; changing: number } {
  const count = Math.floor(data.length / FRAME_BYTES);
  let nonBlank = 0;
  let changing = 0;
  for (let f = 0; f < count; f++) {
    const frame = data.subarray(f * FRAME_BYTES, (f + 1) * FRAME_BYTES);
    let sum = 0;
    let squares = 0;
    for (const value of frame) {
      sum += value;
      squares += value * value;
    }
    const mean = sum / FRAME_BYTES;
    if (Math.sqrt(Math.max(0, squares / FRAME_BYTES - mean * mean)) > BLANK_STDDEV) nonBlank++;
    if (f > 0) {
      const previous = data.subarray((f - 1) * FRAME_BYTES, f * FRAME_BYTES);
      let difference = 0;
      for (let i = 0; i < FRAME_BYTES; i++)
        difference += Math.abs((frame[i] ?? 0) - (previous[i] ?? 0));
      if (difference / FRAME_BYTES > CHANGE_THRESHOLD) changing++;
    }
  }
  return { count, nonBlank, changing };
}
