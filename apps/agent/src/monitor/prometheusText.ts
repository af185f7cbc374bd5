import type { ApiKey, MonitorSample, RuntimeStatus } from "@quantdeck/shared";

export interface MetricsInput {
  sample: MonitorSample | undefined;
  runtime: RuntimeStatus;
  tokensTotal: number;
  generations: { done: number; failed: number };
  /** Bytes downloaded since start (the download manager adds to it). */
  downloadBytesTotal: number;
  /** WebSocket connections open now. */
  websocketClients: number;
  /** Named API keys with their use (never the keys themselves). */
  apiKeys?: ApiKey[];
}

/** Label values are quoted; quotes, backslashes and newlines escaped, per the exposition format. */
const label = (value: string | number) =>
  `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** The Prometheus text exposition format (version 0.0.4) for /metrics. */
export function prometheusText({
  sample,
  runtime,
  tokensTotal,
  generations,
  downloadBytesTotal,
  websocketClients,
  apiKeys = [],
}: MetricsInput): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: "gauge" | "counter",
    help: string,
    values: [labels: string, value: number][],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of values)
      lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
  };
  if (sample) {
    metric("quantdeck_cpu_utilization_ratio", "gauge", "CPU busy share, all cores (0-1).", [
      ["", sample.cpu.total],
    ]);
    metric(
      "quantdeck_cpu_core_utilization_ratio",
      "gauge",
      "CPU busy share per core (0-1).",
      sample.cpu.perCore.map((v, i) => [`{core=${label(i)}}`, v]),
    );
    metric("quantdeck_memory_used_bytes", "gauge", "RAM in use (total minus available).", [
      ["", sample.memory.usedBytes],
    ]);
    metric("quantdeck_memory_total_bytes", "gauge", "RAM installed.", [
      ["", sample.memory.totalBytes],
    ]);
    metric("quantdeck_swap_used_bytes", "gauge", "Swap in use.", [
      ["", sample.memory.swapUsedBytes],
    ]);
    metric("quantdeck_disk_read_bytes_per_second", "gauge", "Disk reads, whole disks.", [
      ["", sample.disk.readBytesPerSecond],
    ]);
    metric("quantdeck_disk_write_bytes_per_second", "gauge", "Disk writes, whole disks.", [
      ["", sample.disk.writeBytesPerSecond],
    ]);
    metric(
      "quantdeck_network_receive_bytes_per_second",
      "gauge",
      "Network received, all but loopback.",
      [["", sample.network.receiveBytesPerSecond]],
    );
    metric(
      "quantdeck_network_transmit_bytes_per_second",
      "gauge",
      "Network sent, all but loopback.",
      [["", sample.network.sendBytesPerSecond]],
    );
    const gpu = (g: MonitorSample["gpus"][number]) =>
      `{gpu=${label(g.index)},name=${label(g.name)}}`;
    metric(
      "quantdeck_gpu_utilization_ratio",
      "gauge",
      "GPU busy share (0-1).",
      sample.gpus.filter((g) => g.utilization !== null).map((g) => [gpu(g), g.utilization ?? 0]),
    );
    metric(
      "quantdeck_gpu_memory_used_bytes",
      "gauge",
      "VRAM in use.",
      sample.gpus.map((g) => [gpu(g), g.vramUsedBytes]),
    );
    metric(
      "quantdeck_gpu_memory_total_bytes",
      "gauge",
      "VRAM installed.",
      sample.gpus.map((g) => [gpu(g), g.vramTotalBytes]),
    );
    metric(
      "quantdeck_gpu_temperature_celsius",
      "gauge",
      "GPU temperature.",
      sample.gpus.filter((g) => g.temperatureC !== null).map((g) => [gpu(g), g.temperatureC ?? 0]),
    );
    metric(
      "quantdeck_gpu_power_watts",
      "gauge",
      "GPU power draw.",
      sample.gpus.filter((g) => g.powerWatts !== null).map((g) => [gpu(g), g.powerWatts ?? 0]),
    );
    metric(
      "quantdeck_engine_resident_bytes",
      "gauge",
      "Resident memory of the inference engine process.",
      [["", sample.engine.rssBytes]],
    );
    metric(
      "quantdeck_generation_tokens_per_second",
      "gauge",
      "Tokens generated in the last second.",
      [["", sample.generation.tokensPerSecond]],
    );
  }
  metric(
    "quantdeck_generated_tokens_total",
    "counter",
    "Tokens generated since the agent started.",
    [["", tokensTotal]],
  );
  metric("quantdeck_generations_total", "counter", "Generations finished, by outcome.", [
    [`{outcome="done"}`, generations.done],
    [`{outcome="failed"}`, generations.failed],
  ]);
  metric("quantdeck_queue_running", "gauge", "Generations running.", [["", runtime.queue.running]]);
  metric("quantdeck_queue_waiting", "gauge", "Generations waiting for the engine.", [
    ["", runtime.queue.waiting],
  ]);
  metric("quantdeck_model_loaded", "gauge", "1 while a model is loaded.", [
    [runtime.model ? `{model=${label(runtime.model.id)}}` : "", runtime.model ? 1 : 0],
  ]);
  metric(
    "quantdeck_engine_restarts_total",
    "counter",
    "Times the engine was restarted after a crash.",
    [["", runtime.engineRestarts]],
  );
  metric("quantdeck_download_bytes_total", "counter", "Bytes downloaded since the agent started.", [
    ["", downloadBytesTotal],
  ]);
  metric("quantdeck_websocket_clients", "gauge", "WebSocket connections open.", [
    ["", websocketClients],
  ]);
  const byKey = (key: ApiKey) => `{key=${label(key.name)},scope=${label(key.scope)}}`;
  metric(
    "quantdeck_api_key_requests_total",
    "counter",
    "Requests made with each named API key.",
    apiKeys.map((key) => [byKey(key), key.requests]),
  );
  metric(
    "quantdeck_api_key_tokens_total",
    "counter",
    "Tokens generated for each named API key's requests.",
    apiKeys.map((key) => [byKey(key), key.tokens]),
  );
  return lines.join("\n") + "\n";
}
