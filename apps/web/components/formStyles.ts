/** The dashboard's form classes, so every page's inputs and buttons look alike. */
export const field =
  "rounded-md border border-zinc-300 bg-transparent px-2 py-1.5 text-sm dark:border-zinc-700";
export const control = `w-full ${field}`;
export const option = "bg-white text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";
export const primaryButton =
  "rounded-md bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50";
export const secondaryButton =
  "rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";
