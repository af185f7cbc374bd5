import { seedCatalog } from "@quantdeck/shared";
import type { Locale } from "./messages";

/** The guide's tips (seed data, in English) in Japanese, in the same order. */
const japanese = [
  "KV キャッシュは q4_0 ではなく q8_0 を使う（q4 は出力が目に見えて劣化する）",
  "down_proj は量子化に非常に敏感なため、動的量子化では 3 ビット以上に保たれている",
  "llama.cpp の Flash Attention でデコードがやや速くなる（CUDA ビルドで GGML_CUDA_FA_ALL_QUANTS=ON）",
  "min_p は 0.01 で十分（llama.cpp の既定は 0.1）。DeepSeek はコーディングに温度 0.0 を推奨",
  "ビルド時に CUDA アーキテクチャを指定するとコンパイルが短くなる（例: 80）",
  "CPU のみの場合は --n-gpu-layers を外す。Apple Metal では GPU が既定で有効なので --n-gpu-layers に注意",
];

export function guideTips(locale: Locale): string[] {
  return locale === "ja" ? japanese : seedCatalog.tips;
}

export const guideTipsJapaneseCount = japanese.length;
