import { ConnectionCard } from "./_components/ConnectionCard";
import { DemoModelCard } from "./_components/DemoModelCard";
import { FleetCard } from "./_components/FleetCard";
import { HardwareCard } from "./_components/HardwareCard";
import { LoadedModelCard } from "./_components/LoadedModelCard";
import { LoginCard } from "./_components/LoginCard";
import { RecommendationCard } from "./_components/RecommendationCard";

export default function OverviewPage() {
  return (
    <div className="grid gap-6">
      <LoginCard />
      <FleetCard />
      <div className="grid gap-6 md:grid-cols-2">
        <HardwareCard />
        <div className="grid content-start gap-6">
          <RecommendationCard />
          <LoadedModelCard />
        </div>
        <ConnectionCard />
        <DemoModelCard />
      </div>
    </div>
  );
}
