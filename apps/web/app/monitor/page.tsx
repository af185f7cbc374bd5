import { MonitorCharts } from "./_components/MonitorCharts";

export default function MonitorPage() {
  return <MonitorCharts />;
}
