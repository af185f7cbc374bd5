/**
 * Every user-facing string of the dashboard, in English and Japanese. Japanese must have
 * every key English has (the type enforces it), so no page is ever half-translated.
 */
const en = {
  "app.name": "Quantdeck",
  "app.tagline": "Run huge quantized models on your own hardware",
  "nav.overview": "Overview",
  "nav.language": "Language",
  "nav.theme": "Theme",
  "theme.dark": "Dark",
  "theme.light": "Light",
  "connection.connected": "Connected",
  "connection.connecting": "Connecting…",
  "connection.reconnecting": "Reconnecting…",
  "connection.disconnected": "Disconnected",
  "connection.rejected": "Version mismatch",
  "connection.title": "Agent connection",
  "connection.agentVersion": "Agent version",
  "connection.protocol": "Protocol",
  "connection.protocolValue": "agent v{agent} · dashboard v{dashboard}",
  "connection.host": "Host",
  "connection.uptime": "Uptime",
  "connection.retryIn": "Retrying in {seconds} s",
  "rejected.clientTooOld":
    "This dashboard is older than the agent. Reload the page to get the current dashboard.",
  "rejected.agentTooOld": "The agent is older than this dashboard. Update and restart the agent.",
  "demo.title": "Demo model",
  "demo.synthetic": "Synthetic",
  "demo.explain":
    "A tiny model with DeepSeek-V3's architecture and random weights, made on this machine so every page works without a download. Its answers are words, not sense.",
  "demo.none": "No demo model: models are on disk.",
  "demo.size": "Size",
  "demo.architecture": "Architecture",
  "login.title": "Sign in to the agent",
  "login.explain":
    "This agent is protected by an access token (QUANTDECK_TOKEN on the agent's machine).",
  "login.token": "Access token",
  "login.submit": "Sign in",
  "login.failed": "Sign-in failed",
  "error.generic": "Something went wrong",
  "units.seconds": "{value} s",
  "units.minutes": "{value} min",
  "units.hours": "{value} h",
} as const;

export type MessageKey = keyof typeof en;

const ja: Record<MessageKey, string> = {
  "app.name": "Quantdeck",
  "app.tagline": "巨大な量子化モデルを自分のハードウェアで動かす",
  "nav.overview": "概要",
  "nav.language": "言語",
  "nav.theme": "テーマ",
  "theme.dark": "ダーク",
  "theme.light": "ライト",
  "connection.connected": "接続済み",
  "connection.connecting": "接続中…",
  "connection.reconnecting": "再接続中…",
  "connection.disconnected": "切断",
  "connection.rejected": "バージョン不一致",
  "connection.title": "エージェント接続",
  "connection.agentVersion": "エージェントのバージョン",
  "connection.protocol": "プロトコル",
  "connection.protocolValue": "エージェント v{agent} · ダッシュボード v{dashboard}",
  "connection.host": "ホスト",
  "connection.uptime": "稼働時間",
  "connection.retryIn": "{seconds} 秒後に再試行",
  "rejected.clientTooOld":
    "このダッシュボードはエージェントより古いバージョンです。ページを再読み込みしてください。",
  "rejected.agentTooOld":
    "エージェントはこのダッシュボードより古いバージョンです。エージェントを更新して再起動してください。",
  "demo.title": "デモモデル",
  "demo.synthetic": "合成",
  "demo.explain":
    "DeepSeek-V3 と同じ構造でランダムな重みを持つ小さなモデルです。ダウンロードなしで全ページが動くよう、このマシンで生成されました。出力は単語の並びで、意味はありません。",
  "demo.none": "デモモデルなし: ディスク上にモデルがあります。",
  "demo.size": "サイズ",
  "demo.architecture": "アーキテクチャ",
  "login.title": "エージェントにサインイン",
  "login.explain":
    "このエージェントはアクセストークンで保護されています（エージェント側の QUANTDECK_TOKEN）。",
  "login.token": "アクセストークン",
  "login.submit": "サインイン",
  "login.failed": "サインインに失敗しました",
  "error.generic": "問題が発生しました",
  "units.seconds": "{value} 秒",
  "units.minutes": "{value} 分",
  "units.hours": "{value} 時間",
};

export const messages = { en, ja } as const;
export type Locale = keyof typeof messages;
export const locales = Object.keys(messages) as Locale[];
export const localeNames: Record<Locale, string> = { en: "English", ja: "日本語" };

/** Fills `{name}` placeholders. */
export function translate(
  locale: Locale,
  key: MessageKey,
  vars: Record<string, string | number> = {},
): string {
  const template: string = messages[locale][key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}
