/** Bytes as decimal gigabytes with one decimal, as the agent's messages give sizes ("231.4 GB"). */
export const gigabytes = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
