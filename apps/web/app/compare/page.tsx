import { NewComparisonForm } from "./_components/NewComparisonForm";
import { RunsList } from "./_components/RunsList";

export default function ComparePage() {
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <NewComparisonForm />
      <RunsList />
    </div>
  );
}
