import {
  agentText,
  type CompareAnswer,
  type CompareRun,
  type SandboxLimit,
} from "@quantdeck/shared";

/**
 * A comparison as one self-contained HTML file: recordings embedded as data URIs, code,
 * checklists and stats side by side, a button that plays every recording together. No
 * script or style from anywhere else, so it opens offline and can be mailed around.
 */
export function exportCompareHtml(
  run: CompareRun,
  recording: (index: number) => Buffer | null,
): string {
  const columns = run.answers.map((answer) => column(answer, recording(answer.index))).join("\n");
  return `<!doctype html>
<html lang="${run.prompt.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(run.prompt.title)} — Quantdeck comparison</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 24px; background: #0f1115; color: #e6e6e6; }
  h1 { font-size: 24px; margin: 0 0 4px; } .meta { color: #9aa0a6; margin-bottom: 16px; }
  .grid { display: grid; grid-template-columns: repeat(${Math.min(run.answers.length, 4)}, minmax(0, 1fr)); gap: 16px; }
  .col { background: #171a21; border: 1px solid #2a2f3a; border-radius: 10px; padding: 16px; min-width: 0; }
  .col h2 { font-size: 18px; margin: 0 0 8px; word-break: break-all; }
  video { width: 100%; background: #000; border-radius: 6px; }
  .none { padding: 24px; text-align: center; color: #9aa0a6; border: 1px dashed #2a2f3a; border-radius: 6px; }
  ul { list-style: none; padding: 0; margin: 8px 0; } li { margin: 2px 0; }
  .ok { color: #5fd38d; } .no { color: #ff7b72; } .evidence { color: #9aa0a6; font-size: 13px; font-family: ui-monospace, monospace; }
  pre { background: #0b0d11; padding: 12px; border-radius: 6px; overflow: auto; max-height: 480px; font-size: 13px; }
  .stats { color: #9aa0a6; font-size: 14px; } .outcome { font-weight: 600; }
  button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #3a4150; background: #232834; color: inherit; cursor: pointer; margin-bottom: 16px; }
  details { margin-top: 8px; }
</style>
</head>
<body>
<h1>${escape(run.prompt.title)}</h1>
<div class="meta">Quantdeck comparison, ${new Date(run.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC · seed ${run.sampling.seed ?? "-"} · temperature ${run.sampling.temperature ?? 0.3} · ${run.recordSeconds} s recorded per program. Checks are static heuristics on the code; the recordings show what it did.</div>
<button onclick="for (const v of document.querySelectorAll('video')) { v.currentTime = 0; v.play(); }">▶ Play all together</button>
<div class="grid">
${columns}
</div>
<details><summary>Prompt</summary><pre>${escape(run.prompt.text)}</pre></details>
</body>
</html>
`;
}

function column(answer: CompareAnswer, recording: Buffer | null): string {
  const execution = answer.execution;
  const video = recording
    ? `<video controls muted loop playsinline src="data:video/webm;base64,${recording.toString("base64")}"></video>`
    : `<div class="none">${escape(answer.notRunReason ?? "No recording")}</div>`;
  const outcome = execution ? `<div class="outcome">${escape(describeOutcome(answer))}</div>` : "";
  const checks = answer.checks
    .map(
      (check) =>
        `<li><span class="${check.passed ? "ok" : "no"}">${check.passed ? "✓" : "✗"}</span> ${escape(check.label)}${check.detail ? ` <span class="evidence">(${escape(check.detail)})</span>` : ""}${check.evidence ? `<div class="evidence">line ${check.evidence.line}: ${escape(check.evidence.text)}</div>` : ""}</li>`,
    )
    .join("");
  const behaviour = execution?.behaviour?.verdicts.length
    ? `<h3>Behaviour ${execution.behaviour.verdicts.filter((v) => v.passed).length}/${execution.behaviour.verdicts.length}</h3><ul class="behaviour">${execution.behaviour.verdicts
        .map(
          (verdict) =>
            `<li><span class="${verdict.passed ? "ok" : "no"}">${verdict.passed ? "✓" : "✗"}</span> ${escape(agentText(`verdict.${verdict.id}`).text)} <span class="evidence">(${escape(verdict.figure.text)}${verdict.at !== null ? `, at ${verdict.at.toFixed(1)} s` : ""})</span></li>`,
        )
        .join("")}</ul>`
    : "";
  const stats = answer.stats
    ? `${answer.stats.generatedTokens} tokens · ${answer.stats.generationTokensPerSecond.toFixed(1)} tok/s · ${(answer.stats.totalMs / 1000).toFixed(1)} s`
    : "";
  return `<section class="col">
<h2>${escape(answer.label)}</h2>
<div class="stats">${escape(stats)}</div>
${video}
${outcome}
${answer.syntax ? `<div>${answer.syntax.ok ? '<span class="ok">✓</span> Python syntax' : `<span class="no">✗</span> Syntax error line ${answer.syntax.line ?? "?"}: ${escape(answer.syntax.message ?? "")}`}</div>` : ""}
${behaviour}
<ul>${checks}</ul>
${execution?.traceback ? `<pre>${escape(execution.traceback)}</pre>` : ""}
<details${answer.code ? "" : " open"}><summary>${answer.code ? "Code" : "Answer"}</summary><pre>${escape(answer.code ?? answer.text)}</pre></details>
</section>`;
}

const LIMIT_NAMES: Record<SandboxLimit, string> = {
  memory: "memory",
  processes: "process",
  cpu: "CPU-time",
  disk: "disk",
  fileSize: "file-size",
  time: "time",
};

export function describeOutcome(answer: CompareAnswer): string {
  const execution = answer.execution;
  if (!execution) return answer.notRunReason ?? "Not run";
  const frames = execution.frames;
  switch (execution.outcome) {
    case "ran":
      return `Ran for the whole recording${execution.window ? "" : " (no window)"}; ${frames.changing} of ${Math.max(0, frames.count - 1)} frame changes moved`;
    case "exited":
      return "Exited by itself (code 0) before the recording ended";
    case "crashed":
      return `Crashed (exit code ${execution.exitCode ?? "?"})${execution.limit ? `: the sandbox's ${LIMIT_NAMES[execution.limit]} limit` : ""}`;
    case "timedOut":
      return "Killed at the sandbox's time limit";
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
