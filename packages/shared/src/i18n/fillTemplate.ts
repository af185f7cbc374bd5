/** Fills a message's `{name}` placeholders; a name without a value stays as it is. */
export function fillTemplate(
  template: string,
  valueOf: (name: string) => string | number | undefined,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = valueOf(name);
    return value === undefined ? whole : String(value);
  });
}
