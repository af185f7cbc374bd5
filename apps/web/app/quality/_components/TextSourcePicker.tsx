"use client";

import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { field, option } from "@/components/formStyles";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

type Source = "default" | "upload" | "file";
type Upload = { name: string; content: string };

/**
 * The evaluation text a run reads: the default one shipped with the agent, an upload, or a
 * file in the agent's text folders. `body` is what the request carries (null while an
 * upload or a file is still to be chosen); `key` names the choice without its content.
 */
export function useEvaluationText() {
  const texts = useQuery(agentQueries.evaluationTexts());
  const [source, setSource] = useState<Source>("default");
  const [upload, setUpload] = useState<Upload | null>(null);
  const [path, setPath] = useState("");
  const chosenPath = path || texts.data?.files[0]?.path || "";
  const body =
    source === "upload"
      ? upload && { text: upload.content }
      : source === "file"
        ? chosenPath
          ? { textPath: chosenPath }
          : null
        : {};
  const key =
    source === "upload"
      ? `upload:${upload?.name}:${upload?.content.length}`
      : source === "file"
        ? `file:${chosenPath}`
        : "default";
  return {
    body,
    key,
    picker: { texts: texts.data, source, setSource, upload, setUpload, path: chosenPath, setPath },
  };
}

type PickerProps = ReturnType<typeof useEvaluationText>["picker"];

export function TextSourcePicker(props: PickerProps) {
  const { t } = useI18n();
  const { texts, source, setSource, upload } = props;
  const choice = (value: Source, testId: string, children: ReactNode) => (
    <label className="flex flex-wrap items-center gap-2 text-sm">
      <input
        type="radio"
        name="quality-text"
        data-testid={testId}
        checked={source === value}
        onChange={() => setSource(value)}
      />
      {children}
    </label>
  );
  return (
    <fieldset className="grid gap-1" data-testid="quality-text-source">
      <legend className="text-xs text-zinc-500">{t("quality.textSource")}</legend>
      {choice(
        "default",
        "quality-text-default",
        t("quality.text.default", { size: formatBytes(texts?.defaultBytes ?? 0) }),
      )}
      {choice(
        "upload",
        "quality-text-upload",
        <>
          {t("quality.text.upload")}
          <input
            type="file"
            accept=".txt,text/plain"
            data-testid="quality-text"
            className="text-sm"
            onChange={(e) => {
              const file = e.target.files?.[0];
              setSource("upload");
              if (!file) return props.setUpload(null);
              void file.text().then((content) => props.setUpload({ name: file.name, content }));
            }}
          />
          {upload && source === "upload" && (
            <span className="text-xs text-zinc-500">
              {t("quality.textSize", { size: formatBytes(new Blob([upload.content]).size) })}
            </span>
          )}
        </>,
      )}
      {choice(
        "file",
        "quality-text-agent",
        <>
          {t("quality.text.agent")}
          {texts && texts.files.length > 0 ? (
            <select
              data-testid="quality-text-path"
              className={field}
              value={props.path}
              onChange={(e) => {
                props.setPath(e.target.value);
                setSource("file");
              }}
            >
              {texts.files.map((file) => (
                <option key={file.path} value={file.path} className={option}>
                  {file.path} ({formatBytes(file.bytes)})
                </option>
              ))}
            </select>
          ) : (
            <span className="text-xs text-zinc-500">{t("quality.text.none")}</span>
          )}
        </>,
      )}
      {texts && (
        <p className="text-xs text-zinc-500">
          {t("quality.text.agentHelp", { folders: texts.folders.join(", ") })}
        </p>
      )}
    </fieldset>
  );
}
