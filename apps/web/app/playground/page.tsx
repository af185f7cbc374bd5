import { ModelPanel } from "./_components/ModelPanel";
import { Playground } from "./_components/Playground";

export default function PlaygroundPage() {
  return (
    <div className="grid gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
      <ModelPanel />
      <Playground />
    </div>
  );
}
