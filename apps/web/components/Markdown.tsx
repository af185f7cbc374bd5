"use client";

import { useRef, useState, type ComponentProps } from "react";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { useI18n } from "@/lib/i18n/I18nProvider";

/**
 * A model's answer as markdown: GitHub-flavoured, code highlighted (highlight.js), each code
 * block with a copy button. Raw HTML in the answer is not rendered (react-markdown's
 * default), so a model cannot inject markup into the dashboard.
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown min-w-0 text-sm leading-relaxed">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[[rehypeHighlight, { detect: false, ignoreMissing: true }]]}
        components={{ pre: CodeBlock }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}

function CodeBlock(props: ComponentProps<"pre">) {
  const { t } = useI18n();
  const ref = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard.writeText(ref.current?.innerText ?? "").then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <div className="group relative my-2">
      <pre
        ref={ref}
        {...props}
        className="overflow-x-auto rounded-lg bg-zinc-950 p-3 text-xs text-zinc-100"
      />
      <button
        type="button"
        data-testid="copy-code"
        onClick={copy}
        className="absolute top-2 right-2 rounded border border-zinc-700 bg-zinc-900 px-2 py-0.5 text-xs text-zinc-300 opacity-80 hover:opacity-100 focus-visible:opacity-100"
      >
        {copied ? t("playground.copied") : t("playground.copy")}
      </button>
    </div>
  );
}
