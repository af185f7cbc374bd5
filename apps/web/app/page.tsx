import { ConnectionCard } from "./_components/ConnectionCard";
import { DemoModelCard } from "./_components/DemoModelCard";
import { LoginCard } from "./_components/LoginCard";

export default function OverviewPage() {
  return (
    <div className="grid gap-6">
      <LoginCard />
      <div className="grid gap-6 md:grid-cols-2">
        <ConnectionCard />
        <DemoModelCard />
      </div>
    </div>
  );
}
