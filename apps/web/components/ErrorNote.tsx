import { AgentError } from "@/lib/agent/AgentHttpError";

interface Shown {
  title: string;
  hint?: string | undefined;
}

function toShown(error: unknown): Shown {
  if (error instanceof AgentError) return error.apiError;
  if (typeof error === "object" && error !== null && "title" in error) return error as Shown;
  return { title: error instanceof Error ? error.message : String(error) };
}

/** An agent error as a person should see it: the title, and what to do. Never a stack trace. */
export function ErrorNote({
  error,
  tone = "error",
}: {
  error: unknown;
  tone?: "error" | "warning";
}) {
  const { title, hint } = toShown(error);
  const colors =
    tone === "error"
      ? "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200"
      : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200";
  return (
    <div role={tone === "error" ? "alert" : "note"} className={`rounded-md p-3 text-sm ${colors}`}>
      <p className="font-medium">{title}</p>
      {hint && <p className="mt-1 opacity-80">{hint}</p>}
    </div>
  );
}
