import type { ErrorCode } from "../protocol/errors";
import type { TextLocale } from "./agentText";

/**
 * What each error code means, in the dashboard's languages: the agent's own title and hint
 * are English and name the exact case; a Japanese dashboard shows this title (with the
 * error's values) and keeps the agent's words beneath it as the detail. English entries
 * are the code's meaning in general, for clients and docs that list the codes.
 */
export const ERROR_TEXT = {
  badRequest: { en: "The request is not valid", ja: "リクエストが正しくありません" },
  invalidMessage: { en: "The message is not valid", ja: "メッセージが正しくありません" },
  unknownMessageType: { en: "Unknown message type", ja: "不明な種類のメッセージです" },
  handshakeRequired: { en: "Say hello first", ja: "先にハンドシェイクが必要です" },
  alreadyGreeted: { en: "Already connected", ja: "すでに接続済みです" },
  unauthorized: {
    en: "A token is needed, or the token is wrong",
    ja: "トークンが必要か、トークンが間違っています",
  },
  forbiddenHost: { en: "This host name is not allowed", ja: "このホスト名は許可されていません" },
  forbiddenOrigin: { en: "This origin is not allowed", ja: "このオリジンは許可されていません" },
  notFound: { en: "Not found", ja: "見つかりません" },
  payloadTooLarge: { en: "The request is too large", ja: "リクエストが大きすぎます" },
  agentUnreachable: { en: "The agent does not answer", ja: "エージェントが応答しません" },
  unknownModel: { en: "No such model", ja: "そのモデルはありません" },
  incompleteModel: {
    en: "The model's files are incomplete",
    ja: "モデルのファイルが揃っていません",
  },
  badModel: { en: "The model file cannot be read", ja: "モデルファイルを読み込めません" },
  invalidLoadOptions: {
    en: "These load options do not work together",
    ja: "この読み込みオプションの組み合わせは使えません",
  },
  modelNotLoaded: { en: "No model is loaded", ja: "モデルが読み込まれていません" },
  modelInUse: { en: "The model is in use", ja: "モデルは使用中です" },
  modelNotDeletable: { en: "This model cannot be deleted", ja: "このモデルは削除できません" },
  modelLoadFailed: { en: "The model did not load", ja: "モデルを読み込めませんでした" },
  engineCrashed: {
    en: "The inference engine stopped unexpectedly",
    ja: "推論エンジンが予期せず停止しました",
  },
  engineUnavailable: { en: "That engine is not available", ja: "そのエンジンは使えません" },
  busy: {
    en: "The engine is busy ({waiting} requests waiting)",
    ja: "エンジンが混み合っています（{waiting} 件待ち）",
  },
  promptTooLong: {
    en: "The prompt does not fit the context of {contextSize} tokens",
    ja: "プロンプトがコンテキスト（{contextSize} トークン）に収まりません",
  },
  generationFailed: { en: "The generation failed", ja: "生成に失敗しました" },
  cancelled: { en: "The generation was cancelled", ja: "生成は取り消されました" },
  unknownRepo: { en: "No such repository on the hub", ja: "ハブにそのリポジトリはありません" },
  hubUnreachable: { en: "The hub does not answer", ja: "ハブが応答しません" },
  hubUnauthorized: {
    en: "The hub refused the token, or needs one",
    ja: "ハブがトークンを拒否したか、トークンが必要です",
  },
  unknownDownload: { en: "No such download", ja: "そのダウンロードはありません" },
  noMatchingFiles: { en: "No file matches", ja: "一致するファイルがありません" },
  notEnoughDisk: { en: "Not enough disk space", ja: "ディスクの空き容量が足りません" },
  diskFull: { en: "The disk is full", ja: "ディスクがいっぱいです" },
  checksumMismatch: {
    en: "A downloaded file does not match its checksum",
    ja: "ダウンロードしたファイルのチェックサムが一致しません",
  },
  downloadFailed: { en: "The download failed", ja: "ダウンロードに失敗しました" },
  unknownPrompt: { en: "No such test prompt", ja: "そのテストプロンプトはありません" },
  unknownCompareRun: { en: "No such comparison", ja: "その比較はありません" },
  tooManyRuns: { en: "Too many comparisons at once", ja: "同時に実行できる比較の数を超えています" },
  internal: { en: "Something went wrong in the agent", ja: "エージェント内部でエラーが起きました" },
} as const satisfies Record<ErrorCode, Record<TextLocale, string>>;

/** An error's title in `locale`, its values filled in (a missing value leaves its name). */
export function errorTitle(
  code: ErrorCode,
  locale: TextLocale,
  values: Record<string, string | number> = {},
): string {
  const template: string = ERROR_TEXT[code][locale];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}
