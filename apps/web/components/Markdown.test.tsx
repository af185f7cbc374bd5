import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "@/lib/i18n/I18nProvider";
import { Markdown } from "./Markdown";

const render = (text: string) =>
  renderToString(
    <I18nProvider>
      <Markdown text={text} />
    </I18nProvider>,
  );

describe("Markdown", () => {
  it("highlights fenced code and gives it a copy button", () => {
    const html = render("The game:\n\n```python\nimport pygame\nprint('hi')\n```\n");
    expect(html).toContain('class="hljs language-python"');
    expect(html).toContain('<span class="hljs-keyword">import</span>');
    expect(html).toContain('data-testid="copy-code"');
    expect(html).toContain("<p>The game:</p>");
  });

  it("renders GitHub tables and never a model's raw HTML", () => {
    const html = render(
      "| a | b |\n| - | - |\n| 1 | 2 |\n\n<script>alert(1)</script><img src=x onerror=alert(1)>",
    );
    expect(html).toContain("<table>");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
  });
});
