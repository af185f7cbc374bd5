import type { ErrorCode } from "../protocol/errors";
import type { TextLocale } from "./agentText";
import { fillTemplate } from "./fillTemplate";

/**
 * What each error code means, in the dashboard's languages: the agent's own title and hint
 * are English and name the exact case; a Japanese dashboard shows this title (with the
 * error's values) and keeps the agent's words beneath it as the detail. English entries
 * are the code's meaning in general, for clients and docs that list the codes.
 */
export const ERROR_TEXT = {
  en: {
    badRequest: "The request is not valid",
    invalidMessage: "The message is not valid",
    unknownMessageType: "Unknown message type",
    handshakeRequired: "Say hello first",
    alreadyGreeted: "Already connected",
    unauthorized: "A token is needed, or the token is wrong",
    forbiddenHost: "This host name is not allowed",
    forbiddenOrigin: "This origin is not allowed",
    notFound: "Not found",
    payloadTooLarge: "The request is too large",
    agentUnreachable: "The agent does not answer",
    unknownModel: "No such model",
    incompleteModel: "The model's files are incomplete",
    badModel: "The model file cannot be read",
    invalidLoadOptions: "These load options do not work together",
    modelNotLoaded: "No model is loaded",
    modelInUse: "The model is in use",
    modelNotDeletable: "This model cannot be deleted",
    modelLoadFailed: "The model did not load",
    engineCrashed: "The inference engine stopped unexpectedly",
    engineUnavailable: "That engine is not available",
    busy: "The engine is busy ({waiting} requests waiting)",
    promptTooLong: "The prompt does not fit the context of {contextSize} tokens",
    unsupportedSchema:
      "The JSON schema uses {what} at {path}, which structured output cannot enforce",
    generationFailed: "The generation failed",
    cancelled: "The generation was cancelled",
    unknownRepo: "No such repository on the hub",
    hubUnreachable: "The hub does not answer",
    hubUnauthorized: "The hub refused the token, or needs one",
    unknownDownload: "No such download",
    noMatchingFiles: "No file matches",
    notEnoughDisk: "Not enough disk space",
    diskFull: "The disk is full",
    checksumMismatch: "A downloaded file does not match its checksum",
    downloadFailed: "The download failed",
    unknownPrompt: "No such test prompt",
    unknownCompareRun: "No such comparison",
    tooManyRuns: "Too many comparisons at once",
    internal: "Something went wrong in the agent",
  },
  ja: {
    badRequest: "リクエストが正しくありません",
    invalidMessage: "メッセージが正しくありません",
    unknownMessageType: "不明な種類のメッセージです",
    handshakeRequired: "先にハンドシェイクが必要です",
    alreadyGreeted: "すでに接続済みです",
    unauthorized: "トークンが必要か、トークンが間違っています",
    forbiddenHost: "このホスト名は許可されていません",
    forbiddenOrigin: "このオリジンは許可されていません",
    notFound: "見つかりません",
    payloadTooLarge: "リクエストが大きすぎます",
    agentUnreachable: "エージェントが応答しません",
    unknownModel: "そのモデルはありません",
    incompleteModel: "モデルのファイルが揃っていません",
    badModel: "モデルファイルを読み込めません",
    invalidLoadOptions: "この読み込みオプションの組み合わせは使えません",
    modelNotLoaded: "モデルが読み込まれていません",
    modelInUse: "モデルは使用中です",
    modelNotDeletable: "このモデルは削除できません",
    modelLoadFailed: "モデルを読み込めませんでした",
    engineCrashed: "推論エンジンが予期せず停止しました",
    engineUnavailable: "そのエンジンは使えません",
    busy: "エンジンが混み合っています（{waiting} 件待ち）",
    promptTooLong: "プロンプトがコンテキスト（{contextSize} トークン）に収まりません",
    unsupportedSchema: "JSON スキーマの {path} にある {what} は構造化出力で強制できません",
    generationFailed: "生成に失敗しました",
    cancelled: "生成は取り消されました",
    unknownRepo: "ハブにそのリポジトリはありません",
    hubUnreachable: "ハブが応答しません",
    hubUnauthorized: "ハブがトークンを拒否したか、トークンが必要です",
    unknownDownload: "そのダウンロードはありません",
    noMatchingFiles: "一致するファイルがありません",
    notEnoughDisk: "ディスクの空き容量が足りません",
    diskFull: "ディスクがいっぱいです",
    checksumMismatch: "ダウンロードしたファイルのチェックサムが一致しません",
    downloadFailed: "ダウンロードに失敗しました",
    unknownPrompt: "そのテストプロンプトはありません",
    unknownCompareRun: "その比較はありません",
    tooManyRuns: "同時に実行できる比較の数を超えています",
    internal: "エージェント内部でエラーが起きました",
  },
} as const satisfies Record<TextLocale, Record<ErrorCode, string>>;

/** An error's title in `locale`, its values filled in (a missing value leaves its name). */
export function errorTitle(
  code: ErrorCode,
  locale: TextLocale,
  values: Record<string, string | number> = {},
): string {
  return fillTemplate(ERROR_TEXT[locale][code], (name) => values[name]);
}
