/**
 * Hosts a download may be redirected to: exact names, and domains whose subdomains count
 * too. Plain data, so the download thread can check redirects itself.
 */
export interface DownloadHosts {
  names: string[];
  domains: string[];
}

export function isDownloadHost(hosts: DownloadHosts, url: URL): boolean {
  const host = url.hostname;
  return (
    hosts.names.includes(host) ||
    hosts.domains.some((domain) => host === domain || host.endsWith(`.${domain}`))
  );
}
