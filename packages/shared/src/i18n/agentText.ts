import { z } from "zod";
import { fillTemplate } from "./fillTemplate";

export type TextLocale = "en" | "ja";

/**
 * Every sentence the agent composes for people (planner notes, the speed formula, the
 * guide comparison), in English and Japanese, in one place. The agent sends the key and
 * the values with the English rendering (for the CLI, logs and other clients); the
 * dashboard renders the key in its own language. Values may be texts themselves.
 */
export const AGENT_MESSAGES = {
  "plan.note.expertsNeedServer": {
    en: "Routed experts in RAM need llama.cpp's own server engine (--n-cpu-moe / -ot exps=CPU); node-llama-cpp can only offload whole layers. Until that engine is built on this box, load with whole-layer offload.",
    ja: "ルーティングされたエキスパートを RAM に置くには llama.cpp 自身のサーバーエンジンが必要です（--n-cpu-moe / -ot exps=CPU）。node-llama-cpp はレイヤー単位でしかオフロードできません。このマシンでエンジンをビルドするまでは、レイヤー単位のオフロードで読み込んでください。",
  },
  "plan.note.parallelKv": {
    en: "{parallel} parallel slots, each with its own context: the KV cache is {perSlot} per slot, {total} in all.",
    ja: "並列スロット {parallel} 個はそれぞれ自分のコンテキストを持つため、KV キャッシュはスロットごとに {perSlot}、合計 {total} です。",
  },
  "plan.note.shortfall": {
    en: "{shortfall} more RAM is needed to keep the model in memory. With mmap it still loads and runs, reading weights from disk on every token: expect well under 1 token/s.",
    ja: "モデルをメモリに載せるにはあと {shortfall} の RAM が必要です。mmap なら読み込んで動きますが、トークンごとに重みをディスクから読むため、1 トークン/秒を大きく下回ります。",
  },
  "plan.formula": {
    en: "tok/s ≈ efficiency ({effLow}–{effHigh}) ÷ (bytes read per token on the GPUs ÷ GPU bandwidth + bytes read per token in RAM ÷ RAM bandwidth). Bytes per token: every attention, dense and shared-expert weight plus the output layer, and the routed experts in use{experts}: {gpuActive} on the GPUs and {cpuActive} in RAM here. {gpu}RAM bandwidth {cpuBandwidth} GB/s (assumed from {cores} cores; the OS does not report it).",
    ja: "トークン/秒 ≈ 効率（{effLow}〜{effHigh}）÷（GPU 上で 1 トークンごとに読むバイト数 ÷ GPU 帯域 + RAM 上で 1 トークンごとに読むバイト数 ÷ RAM 帯域）。1 トークンごとに読むのは、アテンション・密な層・共有エキスパートの全重みと出力層、そして使われるルーティングエキスパート{experts}で、ここでは GPU 上 {gpuActive}、RAM 上 {cpuActive} です。{gpu}RAM 帯域 {cpuBandwidth} GB/s（{cores} コアからの推定。OS は報告しません）。",
  },
  "split.formula": {
    en: "tok/s ≈ efficiency ({effLow}–{effHigh}) ÷ (Σ over the boxes of their layers' bytes read per token ÷ their memory bandwidth + the network: per worker, {trips} round trips of {latency} plus {activation} of activations each way at its measured throughput, {network} per token in all). The boxes compute one after another, so their times add up.",
    ja: "トークン/秒 ≈ 効率（{effLow}〜{effHigh}）÷（各ボックスが担当するレイヤーで 1 トークンごとに読むバイト数 ÷ そのメモリ帯域 の合計 + ネットワーク: ワーカーごとに往復 {trips} 回（{latency}）と、往復それぞれ {activation} の活性値を計測したスループットで送る時間。合計で 1 トークンあたり {network}）。ボックスは順番に計算するため、時間は足し合わされます。",
  },
  "split.note.singleBoxFaster": {
    en: "The model fits on this box alone: there it would run at {single} tok/s, {factor}× the split's {split} tok/s. Split only to free this box's memory.",
    ja: "このモデルはこのボックス単体に収まります。単体なら {single} トークン/秒で、分割時の {split} トークン/秒の {factor} 倍です。分割はこのボックスのメモリを空けたいときだけにしてください。",
  },
  "split.note.tooBig": {
    en: "{box} would need {needed} and has {budget}: add a box, or pick a smaller quant.",
    ja: "{box} には {needed} が必要ですが、{budget} しかありません。ボックスを追加するか、より小さい量子化を選んでください。",
  },
  "split.note.noProbe": {
    en: "The link to {box} could not be measured ({reason}); the speed assumes 1 Gbit/s and 0.5 ms.",
    ja: "{box} へのリンクを計測できませんでした（{reason}）。速度は 1 Gbit/s・0.5 ms と仮定しています。",
  },
  "plan.formula.experts": { en: " ({used} of {count})", ja: "（{count} 個中 {used} 個）" },
  "plan.formula.gpuDatasheet": {
    en: "GPU bandwidth {bandwidth} GB/s (datasheet); ",
    ja: "GPU 帯域 {bandwidth} GB/s（データシート）、",
  },
  "plan.formula.gpuAssumed": {
    en: "GPU bandwidth {bandwidth} GB/s (assumed: card not in the table); ",
    ja: "GPU 帯域 {bandwidth} GB/s（推定：表にないカード）、",
  },
  "plan.guide.none": {
    en: "The guide gives no GPU figure for this case.",
    ja: "このケースについてガイドに GPU の数値はありません。",
  },
  "plan.guide.expertsOnCpu": {
    en: "The guide offloads {guideLayers} whole layers. This plan instead puts all {layerCount} layers' attention and shared experts on the GPUs and keeps the routed experts of {cpuMoeLayers} layers in RAM: the experts are {expertShare}% of the bytes but only {used} of {count} are read per token, so the GPUs hold the weights read on every token (llama.cpp's -ot \".ffn_.*_exps.=CPU\" / --n-cpu-moe).",
    ja: 'ガイドは {guideLayers} レイヤーを丸ごとオフロードします。このプランでは代わりに全 {layerCount} レイヤーのアテンションと共有エキスパートを GPU に置き、{cpuMoeLayers} レイヤー分のルーティングエキスパートを RAM に残します。エキスパートはバイト数の {expertShare}% を占めますが、1 トークンごとに読むのは {count} 個中 {used} 個だけなので、毎トークン読む重みを GPU に置けます（llama.cpp の -ot ".ffn_.*_exps.=CPU" / --n-cpu-moe）。',
  },
  "plan.guide.layerOffload": {
    en: "The guide's table gives {guideLayers} layers for the nearest case; this plan fits {gpuLayers} from the real tensor sizes, the free VRAM now and a KV cache for this context.",
    ja: "ガイドの表は最も近いケースで {guideLayers} レイヤーです。このプランは実際のテンソルサイズ、現在の空き VRAM、このコンテキストの KV キャッシュから {gpuLayers} レイヤーを載せます。",
  },
  "plan.guide.allOnGpu": {
    en: "Everything fits on the GPUs (the guide's table, made for smaller cards, gives {guideLayers}).",
    ja: "すべて GPU に載ります（小さなカード向けのガイドの表では {guideLayers}）。",
  },
  "plan.guide.cpuOnly": {
    en: "No usable GPU: everything runs on the CPU, as the guide suggests without --n-gpu-layers.",
    ja: "使える GPU がありません。ガイドが --n-gpu-layers なしで示すとおり、すべて CPU で動かします。",
  },
  "verdict.balls": { en: "20 balls", ja: "ボール 20 個" },
  "verdict.balls.figure": { en: "{count} balls drawn", ja: "描かれたボール {count} 個" },
  "verdict.numbered": { en: "Balls numbered 1–20", ja: "ボールに 1〜20 の番号" },
  "verdict.numbered.figure": {
    en: "numbers 1–20 on the balls in {share}% of frames",
    ja: "{share}% のフレームでボールに 1〜20 の番号",
  },
  "verdict.heptagon": { en: "A heptagon", ja: "七角形" },
  "verdict.heptagon.figure": {
    en: "a seven-sided shape in {share}% of frames",
    ja: "{share}% のフレームに七角形",
  },
  "verdict.spins": { en: "Turns 360° per 5 s", ja: "5 秒で 360° 回転" },
  "verdict.spins.figure": {
    en: "{speed}°/s, a turn in {seconds} s",
    ja: "{speed}°/秒、1 回転 {seconds} 秒",
  },
  "verdict.inside": { en: "Balls stay inside", ja: "ボールが内側にとどまる" },
  "verdict.inside.figure": {
    en: "inside in {share}% of ball-frames",
    ja: "ボール×フレームの {share}% で内側",
  },
  "verdict.inside.escaped": {
    en: "inside in {share}% of ball-frames; first escape at {at} s, ball {ball}",
    ja: "ボール×フレームの {share}% で内側。最初の脱出は {at} 秒、ボール {ball}",
  },
  "verdict.gravity": { en: "Gravity", ja: "重力" },
  "verdict.gravity.figure": {
    en: "fell {fell} px in the first second; resting {below}% of the radius below the centre",
    ja: "最初の 1 秒で {fell} px 落下。中心から半径の {below}% 下で静止",
  },
  "verdict.ballCollisions": { en: "Balls collide", ja: "ボール同士が衝突する" },
  "verdict.ballCollisions.figure": { en: "no lasting overlap", ja: "重なり続けるボールなし" },
  "verdict.ballCollisions.overlap": {
    en: "{share}% of ball pairs sunk into each other by over a radius; longest: balls {a} and {b}, {seconds} s",
    ja: "ボールの組の {share}% が半径以上めり込む。最長はボール {a} と {b} の {seconds} 秒",
  },
  "verdict.bounceHeight": {
    en: "Bounces stay below the radius",
    ja: "跳ね返りの高さが半径未満",
  },
  "verdict.bounceHeight.figure": {
    en: "highest bounce {rise} px, radius {radius} px",
    ja: "最高の跳ね返り {rise} px、半径 {radius} px",
  },
  "verdict.colours": { en: "The given colours", ja: "指定された色" },
  "verdict.colours.figure": {
    en: "{used} of the {given} given colours on the balls",
    ja: "指定された {given} 色のうち {used} 色がボールに",
  },
  "verdict.numbersSpin": { en: "Numbers show the spin", ja: "番号が回転を示す" },
  "verdict.numbersSpin.figure": {
    en: "numbers turned on {share}% of the balls (text angle)",
    ja: "ボールの {share}% で番号が回転（文字の角度）",
  },
  "verdict.moves": { en: "The picture moves", ja: "画面が動く" },
  "verdict.moves.figure": {
    en: "{changing} of {count} recorded frames changed",
    ja: "録画フレーム {count} 枚中 {changing} 枚が変化",
  },
  "verdict.flap": { en: "SPACE lifts the bird", ja: "SPACE で鳥が上がる" },
  "verdict.flap.figure": {
    en: "the bird rose after {lifted} of {presses} presses in flight",
    ja: "飛行中の {presses} 回の押下のうち {lifted} 回で鳥が上昇",
  },
  "verdict.falls": { en: "Falls without SPACE", ja: "SPACE なしで落ちる" },
  "verdict.falls.figure": {
    en: "fell in {fell} of {pauses} pauses between presses",
    ja: "押下の合間 {pauses} 回のうち {fell} 回で落下",
  },
  "verdict.pipesMove": { en: "Pipes move towards the bird", ja: "パイプが鳥へ向かって動く" },
  "verdict.pipesMove.figure": {
    en: "pipes move left at {speed} px/s",
    ja: "パイプが左へ {speed} px/秒で移動",
  },
  "verdict.pipesMove.none": { en: "no pipes seen", ja: "パイプが見当たらない" },
  "verdict.score": {
    en: "Score at the top right counts pipes",
    ja: "右上のスコアがパイプを数える",
  },
  "verdict.score.figure": {
    en: "{increases} score increases for {passes} pipes passed; {place}",
    ja: "{passes} 本のパイプ通過に対しスコア増加 {increases} 回。{place}",
  },
  "verdict.score.noPass": {
    en: "no pipe was passed while playing, so no point could be seen; {place}",
    ja: "プレイ中にパイプを通過できず、加点を確認できません。{place}",
  },
  "verdict.score.none": { en: "no score shown", ja: "スコアが表示されない" },
  "verdict.place.topRight": { en: "shown at the top right", ja: "右上に表示" },
  "verdict.place.at": {
    en: "shown at {x}% across, {y}% down, not the top right",
    ja: "横 {x}%・縦 {y}% の位置に表示（右上ではない）",
  },
  "verdict.roundEnds": {
    en: "Hitting a pipe or the ground ends the round",
    ja: "パイプや地面に当たるとラウンド終了",
  },
  "verdict.roundEnds.figure": {
    en: "the round ended {ended} of {hits} times the bird hit something",
    ja: "鳥が何かに当たった {hits} 回のうち {ended} 回でラウンド終了",
  },
  "verdict.roundEnds.noHit": {
    en: "the bird never hit a pipe or the ground",
    ja: "鳥がパイプにも地面にも当たらなかった",
  },
  "verdict.roundEnds.none": { en: "no round ended", ja: "終了したラウンドがない" },
  "verdict.bestScore": {
    en: "Best score shown inside the window",
    ja: "ベストスコアを画面内に表示",
  },
  "verdict.bestScore.figure": { en: "“{text}” inside the window", ja: "「{text}」が画面内" },
  "verdict.bestScore.outside": {
    en: "“{text}” reaches outside the window",
    ja: "「{text}」が画面からはみ出す",
  },
  "verdict.bestScore.none": {
    en: "no best score shown after the round ended",
    ja: "ラウンド終了後にベストスコアが表示されない",
  },
  "verdict.restarts": { en: "SPACE restarts", ja: "SPACE で再開" },
  "verdict.restarts.figure": {
    en: "a new round began after SPACE",
    ja: "SPACE で新しいラウンドが始まった",
  },
  "verdict.restarts.failed": {
    en: "SPACE after the round ended did not start a new one",
    ja: "ラウンド終了後の SPACE で新しいラウンドが始まらない",
  },
  "verdict.restarts.notPressed": {
    en: "SPACE was not pressed after the round ended",
    ja: "ラウンド終了後に SPACE が押されなかった",
  },
  "verdict.quits": { en: "q and Esc quit", ja: "q と Esc で終了" },
  "verdict.quits.figure": { en: "q {q} · Esc {escape}", ja: "q {q} ・ Esc {escape}" },
  "verdict.background": {
    en: "Light background, light blue first",
    ja: "明るい背景、最初は薄い青",
  },
  "verdict.background.figure": {
    en: "{first} first; {good} of {count} background colours light",
    ja: "最初は {first}。背景色 {count} 色のうち {good} 色が明るい",
  },
  "verdict.background.none": { en: "no background drawn", ja: "背景が描かれていない" },
  "verdict.birdColour": { en: "A dark bird", ja: "暗い色の鳥" },
  "verdict.birdColour.figure": {
    en: "{good} of {count} bird colours dark ({colours})",
    ja: "鳥の色 {count} 色のうち {good} 色が暗い（{colours}）",
  },
  "verdict.birdColour.none": { en: "no bird seen", ja: "鳥が見当たらない" },
  "verdict.land": {
    en: "Land at the bottom, dark brown or yellow",
    ja: "下部に濃い茶色か黄色の地面",
  },
  "verdict.land.figure": {
    en: "{good} of {count} land colours dark brown or yellow ({colours})",
    ja: "地面の色 {count} 色のうち {good} 色が濃い茶色か黄色（{colours}）",
  },
  "verdict.land.none": { en: "no land at the bottom", ja: "下部に地面がない" },
  "verdict.pipeColours": {
    en: "Pipes dark green, light brown or dark grey",
    ja: "パイプは濃い緑・薄い茶色・濃い灰色",
  },
  "verdict.pipeColours.figure": {
    en: "{good} of {count} pipe colours from the list ({colours})",
    ja: "パイプの色 {count} 色のうち {good} 色が指定どおり（{colours}）",
  },
} as const satisfies Record<string, Record<TextLocale, string>>;

export type AgentMessageKey = keyof typeof AGENT_MESSAGES;

export interface AgentText {
  key: AgentMessageKey;
  values: Record<string, string | number | AgentText>;
  /** The English rendering, for clients that do not translate. */
  text: string;
}

export const agentTextSchema: z.ZodType<AgentText> = z.lazy(() =>
  z.object({
    key: z.enum(Object.keys(AGENT_MESSAGES) as [AgentMessageKey, ...AgentMessageKey[]]),
    values: z.record(z.string(), z.union([z.string(), z.number(), agentTextSchema])),
    text: z.string(),
  }),
);

/** Renders a text in `locale`, its nested texts too. */
export function renderAgentText(text: AgentText, locale: TextLocale): string {
  return fillTemplate(AGENT_MESSAGES[text.key][locale], (name) => {
    const value = text.values[name];
    return typeof value === "object" ? renderAgentText(value, locale) : value;
  });
}

/** A text as the agent sends it: key, values and its English rendering. */
export function agentText(
  key: AgentMessageKey,
  values: Record<string, string | number | AgentText> = {},
): AgentText {
  const text = { key, values, text: "" };
  return { ...text, text: renderAgentText(text, "en") };
}
