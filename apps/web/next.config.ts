import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  // The protocol package ships TypeScript source; Next compiles it with the app.
  transpilePackages: ["@quantdeck/shared"],
  // `npm test` type-checks every workspace with tsc; checking again here only slows builds.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};

export default config;
