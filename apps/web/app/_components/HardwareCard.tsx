"use client";

import { useQuery } from "@tanstack/react-query";
import { Card, Field } from "@/components/Card";
import { UsageBar } from "@/components/UsageBar";
import { useViewedBox } from "@/lib/agent/boxTarget";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

export function HardwareCard() {
  const { t } = useI18n();
  const { data: hw } = useQuery(agentQueries.hardware());
  const disk = hw?.disks.find((d) => d.role === "models");
  const box = useViewedBox();
  return (
    <Card title={box ? t("hw.titleBox", { box }) : t("hw.title")} testId="hardware-card">
      {hw ? (
        <div className="grid gap-3">
          <dl>
            <Field label={t("hw.cpu")}>
              <span data-testid="hw-cpu">{hw.cpu.model}</span>
            </Field>
            <Field label="">
              <span className="text-xs text-zinc-500">
                {t("hw.cores", { physical: hw.cpu.physicalCores, logical: hw.cpu.logicalCores })}
                {hw.cpu.simd.length > 0 && ` · ${hw.cpu.simd.join(" ")}`}
              </span>
            </Field>
            <Field label={t("hw.ram")}>
              {t("hw.ramValue", {
                available: formatBytes(hw.memory.availableBytes),
                total: formatBytes(hw.memory.totalBytes),
              })}
            </Field>
          </dl>
          <UsageBar
            value={1 - hw.memory.availableBytes / hw.memory.totalBytes}
            label={t("hw.ram")}
          />
          {disk && (
            <>
              <dl>
                <Field label={t("hw.disk")}>
                  {t("hw.diskValue", {
                    free: formatBytes(disk.freeBytes),
                    total: formatBytes(disk.totalBytes),
                  })}
                </Field>
              </dl>
              <UsageBar
                value={1 - disk.freeBytes / disk.totalBytes}
                label={t("hw.disk")}
                tone="emerald"
              />
            </>
          )}
          <dl>
            <Field label={t("hw.backend")}>{hw.backend.toUpperCase()}</Field>
            {hw.engine && (
              <Field label={t("hw.engineView")}>
                <span data-testid="hw-engine">
                  {hw.engine.gpuType
                    ? `${hw.engine.gpuType.toUpperCase()}: ${hw.engine.devices.join(", ") || "—"} · ${formatBytes(hw.engine.vramFreeBytes)} / ${formatBytes(hw.engine.vramTotalBytes)}`
                    : t("hw.engineCpu")}
                </span>
              </Field>
            )}
          </dl>
          {hw.gpus.length === 0 ? (
            <p className="text-sm text-zinc-500">{t("hw.noGpu")}</p>
          ) : (
            <ul className="grid gap-2">
              {hw.gpus.map((gpu) => (
                <li key={gpu.index} className="grid gap-1 text-sm">
                  <div className="flex justify-between gap-2">
                    <span className="font-medium">{gpu.name}</span>
                    <span className="text-zinc-500 tabular-nums">
                      {t("hw.gpuValue", {
                        free: formatBytes(gpu.vramFreeBytes),
                        total: formatBytes(gpu.vramTotalBytes),
                      })}
                    </span>
                  </div>
                  <UsageBar
                    value={gpu.vramUsedBytes / Math.max(1, gpu.vramTotalBytes)}
                    label={`${gpu.name} VRAM`}
                    tone="amber"
                  />
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <p className="text-sm text-zinc-500">—</p>
      )}
    </Card>
  );
}
