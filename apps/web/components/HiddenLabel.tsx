import type { ReactNode } from "react";

/** A label only screen readers read, for a field whose purpose the form already shows. */
export function HiddenLabel({ htmlFor, children }: { htmlFor: string; children: ReactNode }) {
  return (
    <label htmlFor={htmlFor} className="sr-only">
      {children}
    </label>
  );
}
